"""cirrostack plugin: VXLAN guest network isolation on KVM hosts."""
