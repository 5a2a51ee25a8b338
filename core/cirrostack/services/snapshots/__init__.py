"""Volume snapshots: createSnapshot and friends (`service`), volumes made from snapshots
(`volumes_from_snapshots`), snapshot policies (`policies`, `schedule`) and the scheduler that runs them
(`scheduler`). docs/snapshots.md describes the behaviour."""
