"""cirrostack plugin: KVM hosts managed through libvirt."""
