"""listHypervisors, listHypervisorCapabilities and the CPU-socket report."""
