"""cirrostack plugin: VMware vSphere clusters managed through vCenter."""
