"""VPC offerings: listVPCOfferings, and createVPCOffering, updateVPCOffering, deleteVPCOffering for the root admin.

A new offering starts Disabled (as network offerings do); a VPC can only be created from an Enabled one.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models.offerings import ServiceOffering
from cirrostack.db.models.vpc import Vpc, VpcOffering, VpcOfferingService, VpcOfferingState
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.errors import InvalidParameter, ResourceInUse
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services import scope
from cirrostack.services.context import Caller
from cirrostack.services.events import record as record_event
from cirrostack.services.networks.providers import ROUTER_PROVIDERS
from cirrostack.services.vpc.default_offering import VPC_PROVIDER, VPC_SERVICES


def services_of(session: Session, offering: VpcOffering) -> dict[str, str]:
    """The offering's services and their providers: {"Dhcp": "VpcVirtualRouter", ...}."""
    rows = session.scalars(select(VpcOfferingService).where(VpcOfferingService.vpc_offering_id == offering.id)
                           .order_by(VpcOfferingService.id))
    return {row.service: row.provider for row in rows}


def create_offering(session: Session, caller: Caller, registry: PluginRegistry, *, name: str, displaytext: str,
                    supportedservices: list[str], serviceproviderlist: list[dict] | None = None,
                    service_offering: ServiceOffering | None = None) -> VpcOffering:
    """A Disabled VPC offering with `supportedservices`, each on the provider `serviceproviderlist` names
    (VpcVirtualRouter when it names none). Records VPC.OFFERING.CREATE.

    Raises InvalidParameter for an unknown service, a provider for a service not listed, an unknown
    provider, or a name already taken."""
    if not name.strip():
        raise InvalidParameter("name", "a VPC offering needs a non-empty name")
    canonical = {service.lower(): service for service in VPC_SERVICES}
    services: dict[str, str] = {}
    for raw in supportedservices:
        service = canonical.get(raw.strip().lower())
        if service is None:
            raise InvalidParameter("supportedservices", f"{raw!r} is not a VPC service; VPC offerings support "
                                                        f"{', '.join(VPC_SERVICES)}")
        services[service] = VPC_PROVIDER
    known_providers = {provider.lower(): provider for provider in (*ROUTER_PROVIDERS, *registry.network_providers())}
    for entry in serviceproviderlist or []:
        service = canonical.get(str(entry.get("service", "")).strip().lower())
        if service not in services:
            raise InvalidParameter("serviceproviderlist", f"service {entry.get('service')!r} has a provider but is "
                                                          f"not in supportedservices")
        provider = known_providers.get(str(entry.get("provider", "")).strip().lower())
        if provider is None:
            raise InvalidParameter("serviceproviderlist", f"provider {entry.get('provider')!r} for {service} is not "
                                                          f"a known network service provider")
        services[service] = provider
    if session.scalar(select(VpcOffering.id).where(VpcOffering.name == name.strip(), VpcOffering.removed.is_(None))):
        raise InvalidParameter("name", f"a VPC offering named {name.strip()} already exists")
    offering = VpcOffering(name=name.strip(), display_text=displaytext or name.strip(),
                           state=VpcOfferingState.DISABLED.value,
                           service_offering_id=service_offering.id if service_offering is not None else None)
    session.add(offering)
    session.flush()
    for service, provider in services.items():
        session.add(VpcOfferingService(vpc_offering_id=offering.id, service=service, provider=provider))
    session.flush()
    record_event(session, caller, "VPC.OFFERING.CREATE", f"Created VPC offering {offering.name}",
                 resource_type="VpcOffering", resource_uuid=offering.uuid)
    return offering


def update_offering(session: Session, caller: Caller, offering: VpcOffering, *, name: str | None = None,
                    displaytext: str | None = None, state: str | None = None) -> VpcOffering:
    """Rename, describe, enable or disable a VPC offering. Records VPC.OFFERING.UPDATE."""
    if name is not None:
        if not name.strip():
            raise InvalidParameter("name", "a VPC offering needs a non-empty name")
        offering.name = name.strip()
    if displaytext is not None:
        offering.display_text = displaytext
    if state is not None:
        states = {value.lower(): value for value in (VpcOfferingState.ENABLED.value, VpcOfferingState.DISABLED.value)}
        if state.strip().lower() not in states:
            raise InvalidParameter("state", f"{state!r} is not Enabled or Disabled")
        offering.state = states[state.strip().lower()]
    session.flush()
    record_event(session, caller, "VPC.OFFERING.UPDATE", f"Updated VPC offering {offering.name}",
                 resource_type="VpcOffering", resource_uuid=offering.uuid)
    return offering


def delete_offering(session: Session, caller: Caller, offering: VpcOffering) -> None:
    """Remove a VPC offering that is not the default one and that no live VPC uses. Records VPC.OFFERING.DELETE."""
    if offering.is_default:
        raise InvalidParameter("id", f"VPC offering {offering.name} is a default offering and cannot be deleted")
    users = session.scalars(select(Vpc.name).where(Vpc.vpc_offering_id == offering.id, Vpc.removed.is_(None))
                            .limit(5)).all()
    if users:
        raise ResourceInUse(f"id: VPC offering {offering.name} is used by VPCs {', '.join(users)}")
    offering.mark_removed()
    session.flush()
    record_event(session, caller, "VPC.OFFERING.DELETE", f"Deleted VPC offering {offering.name}",
                 resource_type="VpcOffering", resource_uuid=offering.uuid)


def list_offerings(session: Session, caller: Caller, *, id: VpcOffering | None = None, name: str | None = None,
                   displaytext: str | None = None, isdefault: bool | None = None, state: str | None = None,
                   supportedservices: list[str] | None = None, keyword: str | None = None, page: int = 1,
                   pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[VpcOffering], int]:
    statement = scope.visible(caller, "VpcOffering")
    if id is not None:
        statement = statement.where(VpcOffering.id == id.id)
    for column, value in ((VpcOffering.name, name), (VpcOffering.display_text, displaytext)):
        if value is not None:
            statement = statement.where(column == value.strip())
    if isdefault is not None:
        statement = statement.where(VpcOffering.is_default.is_(isdefault))
    if state is not None:
        statement = statement.where(VpcOffering.state == state.strip().capitalize())
    for service in supportedservices or []:
        statement = statement.where(VpcOffering.id.in_(select(VpcOfferingService.vpc_offering_id).where(
            VpcOfferingService.service.ilike(service.strip()))))
    if keyword:
        statement = statement.where(VpcOffering.name.contains(keyword, autoescape=True))
    return fetch_page(session, statement.order_by(VpcOffering.id), page, pagesize)
