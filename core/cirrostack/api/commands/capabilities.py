"""listCapabilities: what this cloud offers, as CloudStack clients and UIs ask for it.

`cloudstackversion` reports cirrostack's own version (the wire protocol is CloudStack 4.3's;
the xml envelopes say so in `cloud-stack-version`). `apilimitinterval`/`apilimitmax` are left
out because API throttling is not implemented; CloudStack also omits them when it is off.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from cirrostack.api.declaration import Call, Command, Field, Response
from cirrostack.api.global_settings import global_setting
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.security_groups.membership import security_groups_in_any_zone

CAPABILITY_RESPONSE = Response("capability", (
    Field("securitygroupsenabled", "boolean", "true if security groups support is enabled, false otherwise"),
    Field("cloudstackversion", "string", "version of the management server (cirrostack's own version)"),
    Field("userpublictemplateenabled", "boolean", "true if user and domain admins can set templates to be shared"),
    Field("supportELB", "string", "true if region supports elastic load balancer on basic zones"),
    Field("projectinviterequired", "boolean", "If invitation confirmation is required when add account to project"),
    Field("allowusercreateprojects", "boolean", "true if regular user is allowed to create projects"),
    Field("customdiskofferingmaxsize", "long", "maximum size that can be specified when creating disk offerings "
                                               "with custom size"),
    Field("regionsecondaryenabled", "boolean", "true if region wide secondary is enabled, false otherwise"),
    Field("kvmsnapshotenabled", "boolean", "true if snapshot is supported for KVM host, false otherwise"),
    Field("allowuserviewdestroyedvm", "boolean", "true if the user is allowed to view destroyed virtualmachines"),
))

LIST_CAPABILITIES = Command(
    "listCapabilities", "Lists capabilities", response=CAPABILITY_RESPONSE, roles=ANY_ROLE,
    java_class="org.apache.cloudstack.api.command.user.config.ListCapabilitiesCmd",
)


def server_version() -> str:
    try:
        return version("cirrostack")
    except PackageNotFoundError:
        return "unknown"


@LIST_CAPABILITIES.handler
def list_capabilities(call: Call) -> dict[str, Any]:
    session = call.session
    return {
        # No region-wide image stores exist yet; security groups are on when any zone has them.
        "securitygroupsenabled": security_groups_in_any_zone(session),
        "cloudstackversion": server_version(),
        "userpublictemplateenabled": global_setting(session, "allow.public.user.templates"),
        "supportELB": str(global_setting(session, "network.loadbalancer.basiczone.elb.enabled")).lower(),
        "projectinviterequired": global_setting(session, "project.invite.required"),
        "allowusercreateprojects": global_setting(session, "allow.user.create.projects"),
        "customdiskofferingmaxsize": global_setting(session, "custom.diskoffering.size.max"),
        "regionsecondaryenabled": False,
        "kvmsnapshotenabled": global_setting(session, "kvm.snapshot.enabled"),
        "allowuserviewdestroyedvm": global_setting(session, "allow.user.view.destroyed.vm"),
    }
