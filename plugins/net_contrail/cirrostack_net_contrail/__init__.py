"""cirrostack plugin: Guest networks on an OpenContrail (Juniper Contrail) controller."""
