"""createSnapshot, listSnapshots, deleteSnapshot, revertSnapshot and the snapshot policy commands."""
