"""cirrostack plugin: Hyper-V hosts managed over WinRM."""
