"""cirrostack plugin: Pluggable strategies for taking and reverting VM snapshots."""
