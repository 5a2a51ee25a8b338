"""Guest isolation methods shipped with the core distribution (VLAN), registered like any plugin's."""
