"""cirrostack plugin: Citrix NetScaler appliances as the network's load balancer."""
