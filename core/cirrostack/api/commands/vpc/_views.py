"""How VPC offerings and VPCs look on the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cirrostack.api.commands.networks._views import NETWORK_RESPONSE, network_view
from cirrostack.api.declaration import Field, Response
from cirrostack.db.models import Account, Domain
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.vpc import Vpc, VpcOffering
from cirrostack.db.timestamps import to_api
from cirrostack.services.vpc import tiers
from cirrostack.services.vpc.offerings import services_of

_SERVICE = Field("service", "list", "the list of supported services", children=(
    Field("name", "string", "the service name"),
    Field("provider", "list", "the service provider name", children=(Field("name", "string", "the provider name"),)),
))

VPC_OFFERING_RESPONSE = Response("vpcoffering", (
    Field("id", "string", "the id of the vpc offering"),
    Field("name", "string", "the name of the vpc offering"),
    Field("displaytext", "string", "an alternate display text of the vpc offering."),
    Field("created", "date", "the date this vpc offering was created"),
    Field("isdefault", "boolean", "true if vpc offering is default, false otherwise"),
    Field("state", "string", "state of the vpc offering. Can be Disabled/Enabled"),
    _SERVICE,
), instance_type="VpcOffering")

VPC_RESPONSE = Response("vpc", (
    Field("id", "string", "the id of the VPC"),
    Field("name", "string", "the name of the VPC"),
    Field("displaytext", "string", "an alternate display text of the VPC."),
    Field("state", "string", "state of the VPC. Can be Inactive/Enabled"),
    Field("zoneid", "string", "zone id of the vpc"),
    Field("zonename", "string", "the name of the zone the VPC belongs to"),
    _SERVICE,
    Field("cidr", "string", "the cidr the VPC"),
    Field("vpcofferingid", "string", "vpc offering id the VPC is created from"),
    Field("account", "string", "the owner of the VPC"),
    Field("domainid", "string", "the domain id of the VPC owner"),
    Field("domain", "string", "the domain name of the owner"),
    Field("network", "list", "the list of networks belongign to the VPC", children=NETWORK_RESPONSE.fields),
    Field("restartrequired", "boolean", "true VPC requires restart"),
    Field("networkdomain", "string", "the network domain of the VPC"),
    Field("created", "date", "the date this VPC was created"),
), instance_type="Vpc")


def _services(session: Session, offering: VpcOffering) -> list[dict[str, Any]]:
    return [{"name": service, "provider": [{"name": provider}]}
            for service, provider in services_of(session, offering).items()]


def vpc_offering_view(session: Session, offering: VpcOffering) -> dict[str, Any]:
    return {"id": offering.uuid, "name": offering.name, "displaytext": offering.display_text,
            "created": to_api(offering.created), "isdefault": offering.is_default, "state": offering.state,
            "service": _services(session, offering)}


def vpc_view(session: Session, vpc: Vpc, is_root_admin: bool) -> dict[str, Any]:
    zone = session.get(Zone, vpc.zone_id)
    offering = session.get(VpcOffering, vpc.vpc_offering_id)
    account = session.get(Account, vpc.account_id)
    domain = session.get(Domain, vpc.domain_id)
    return {"id": vpc.uuid, "name": vpc.name, "displaytext": vpc.display_text, "state": vpc.state,
            "zoneid": zone.uuid, "zonename": zone.name, "service": _services(session, offering), "cidr": vpc.cidr,
            "vpcofferingid": offering.uuid, "account": account.name, "domainid": domain.uuid, "domain": domain.name,
            "network": [network_view(session, tier, is_root_admin) for tier in tiers.tiers_of(session, vpc.id)],
            "restartrequired": vpc.restart_required, "networkdomain": vpc.network_domain,
            "created": to_api(vpc.created)}
