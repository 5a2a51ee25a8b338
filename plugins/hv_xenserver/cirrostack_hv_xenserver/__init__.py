"""cirrostack plugin: XenServer hosts and pools managed through XenAPI."""
