"""Volume commands: createVolume, attachVolume, detachVolume, deleteVolume, resizeVolume, listVolumes."""
