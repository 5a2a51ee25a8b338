"""SSH key pair commands, and resetting a VM's SSH key or password."""
