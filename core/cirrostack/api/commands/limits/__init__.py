"""Resource limit commands: updateResourceLimit, listResourceLimits, updateResourceCount."""
