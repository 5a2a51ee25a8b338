"""createVMSnapshot, listVMSnapshot, revertToVMSnapshot and deleteVMSnapshot."""
