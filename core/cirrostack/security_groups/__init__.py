"""The SecurityGroupProvider network service provider: the SecurityGroup service of shared networks in
Advanced zones (DefaultSharedNetworkOfferingWithSGService), enforced by each member VM's hypervisor host.

`provider.SecurityGroupProvider` is what offerings and physical networks name; the rules themselves are
computed and pushed per VM by `cirrostack.services.security_groups`.
"""
