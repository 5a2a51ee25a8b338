"""User VM commands: deploy and the life cycle (start, stop, reboot, destroy, recover, expunge), listing,
scaling, migration, restore and update."""
