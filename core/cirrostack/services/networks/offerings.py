"""Network offerings: createNetworkOffering, updateNetworkOffering, deleteNetworkOffering, listNetworkOfferings,
and listSupportedNetworkServices.

An offering names, per service, the provider that delivers it. A new offering is Disabled until
updateNetworkOffering enables it, as in CloudStack. Options needing hypervisor support (networkrate,
a redundant router) are checked against a zone's hypervisors when a network is created from the offering.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.db.models.networks import GuestType, Network, NetworkOffering, NetworkOfferingService, OfferingState
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.errors import InvalidParameter, ResourceInUse
from cirrostack.hookspecs.network_service import NetworkService
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services import scope
from cirrostack.services.context import Caller
from cirrostack.services.events import record as record_event
from cirrostack.services.networks.providers import ROUTER_PROVIDERS

SERVICE_NAMES = {service.value.lower(): service.value for service in NetworkService}
AVAILABILITIES = ("Required", "Optional")
DEFAULT_PROVIDER = "VirtualRouter"


def create_offering(session: Session, caller: Caller, registry: PluginRegistry, *, name: str, displaytext: str,
                    guestiptype: str, supportedservices: list[str], traffictype: str = "Guest",
                    serviceproviderlist: list[dict[str, str]] | None = None,
                    servicecapabilitylist: list[dict[str, str]] | None = None, specifyvlan: bool = False,
                    specifyipranges: bool = False, conservemode: bool = True, networkrate: int | None = None,
                    availability: str = "Optional", tags: str | None = None, ispersistent: bool = False,
                    egressdefaultpolicy: bool = True, maxconnections: int | None = None,
                    redundant_router: bool = False) -> NetworkOffering:
    """A Disabled offering with the given services. Records NETWORK.OFFERING.CREATE."""
    _unique_name(session, name)
    guest_type = _choice("guestiptype", guestiptype, [t.value for t in GuestType])
    if traffictype.strip().lower() != "guest":
        raise InvalidParameter("traffictype", f"{traffictype!r}: only Guest offerings can be created")
    services = service_providers(registry, supportedservices, serviceproviderlist or [])
    capabilities = _capabilities(servicecapabilitylist or [], services)
    if capabilities.get("SourceNat", {}).get("RedundantRouter", "").lower() == "true":
        redundant_router = True
    if networkrate is not None:
        if networkrate < 0:
            raise InvalidParameter("networkrate", f"{networkrate} is negative; give a rate in megabits per second")
    if guest_type == GuestType.SHARED.value and "SourceNat" in services:
        raise InvalidParameter("supportedservices", "a Shared offering cannot have SourceNat")
    offering = NetworkOffering(
        name=name.strip(), display_text=displaytext, guest_ip_type=guest_type, specify_vlan=specifyvlan,
        specify_ip_ranges=specifyipranges or guest_type == GuestType.SHARED.value, conserve_mode=conservemode,
        network_rate=networkrate, availability=_choice("availability", availability, AVAILABILITIES),
        state=OfferingState.DISABLED.value, tags=tags, is_persistent=ispersistent,
        egress_default_allow=egressdefaultpolicy, max_connections=maxconnections, redundant_router=redundant_router,
        service_capabilities=json.dumps(capabilities) if capabilities else None)
    session.add(offering)
    session.flush()
    for service, provider in sorted(services.items()):
        session.add(NetworkOfferingService(network_offering_id=offering.id, service=service, provider=provider))
    session.flush()
    record_event(session, caller, "NETWORK.OFFERING.CREATE", f"Created network offering {offering.name}",
                 resource_type="NetworkOffering", resource_uuid=offering.uuid)
    return offering


def update_offering(session: Session, caller: Caller, offering: NetworkOffering, *, name: str | None = None,
                    displaytext: str | None = None, availability: str | None = None, state: str | None = None,
                    maxconnections: int | None = None, tags: str | None = None) -> NetworkOffering:
    """Change name, display text, availability, state (Enabled/Disabled), max connections or tags.
    Records NETWORK.OFFERING.EDIT."""
    if name is not None and name.strip().lower() != offering.name.lower():
        _unique_name(session, name)
        offering.name = name.strip()
    if displaytext is not None:
        offering.display_text = displaytext
    if availability is not None:
        offering.availability = _choice("availability", availability, AVAILABILITIES)
    if state is not None:
        offering.state = _choice("state", state, [s.value for s in OfferingState])
    if maxconnections is not None:
        offering.max_connections = maxconnections
    if tags is not None:
        offering.tags = tags or None
    session.flush()
    record_event(session, caller, "NETWORK.OFFERING.EDIT", f"Updated network offering {offering.name}",
                 resource_type="NetworkOffering", resource_uuid=offering.uuid)
    return offering


def delete_offering(session: Session, caller: Caller, offering: NetworkOffering) -> None:
    """Remove an offering that is not a default one and that no live network uses.
    Records NETWORK.OFFERING.DELETE."""
    if offering.is_default:
        raise InvalidParameter("id", f"network offering {offering.name} is a default offering and cannot be deleted")
    user = session.scalar(select(Network.name).where(Network.network_offering_id == offering.id,
                                                     Network.removed.is_(None)))
    if user is not None:
        raise ResourceInUse(f"id: network offering {offering.name} is used by network {user}")
    offering.mark_removed()
    session.flush()
    record_event(session, caller, "NETWORK.OFFERING.DELETE", f"Deleted network offering {offering.name}",
                 resource_type="NetworkOffering", resource_uuid=offering.uuid)


def list_offerings(session: Session, caller: Caller, *, id: NetworkOffering | None = None, name: str | None = None,
                   guestiptype: str | None = None, state: str | None = None, isdefault: bool | None = None,
                   specifyvlan: bool | None = None, availability: str | None = None, forvpc: bool | None = None,
                   supportedservices: list[str] | None = None, sourcenatsupported: bool | None = None,
                   traffictype: str | None = None, keyword: str | None = None, page: int = 1,
                   pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[NetworkOffering], int]:
    statement = scope.visible(caller, "NetworkOffering").where(NetworkOffering.is_system.is_(False))
    if id is not None:
        statement = statement.where(NetworkOffering.id == id.id)
    if name is not None:
        statement = statement.where(func.lower(NetworkOffering.name) == name.strip().lower())
    for column, value in ((NetworkOffering.guest_ip_type, guestiptype), (NetworkOffering.state, state),
                          (NetworkOffering.availability, availability), (NetworkOffering.traffic_type, traffictype)):
        if value is not None:
            statement = statement.where(func.lower(column) == value.strip().lower())
    for column, flag in ((NetworkOffering.is_default, isdefault), (NetworkOffering.specify_vlan, specifyvlan),
                         (NetworkOffering.for_vpc, forvpc)):
        if flag is not None:
            statement = statement.where(column.is_(flag))
    for service in supportedservices or []:
        statement = statement.where(NetworkOffering.id.in_(_offerings_with(_service_name(service))))
    if sourcenatsupported is not None:
        with_nat = _offerings_with("SourceNat")
        statement = statement.where(NetworkOffering.id.in_(with_nat) if sourcenatsupported
                                    else NetworkOffering.id.not_in(with_nat))
    if keyword:
        statement = statement.where(NetworkOffering.name.contains(keyword, autoescape=True))
    return fetch_page(session, statement.order_by(NetworkOffering.id), page, pagesize)


def services_of(session: Session, offering: NetworkOffering) -> dict[str, list[str]]:
    """{service: [providers]} of an offering, for its response."""
    services: dict[str, list[str]] = {}
    for row in session.scalars(select(NetworkOfferingService).where(
            NetworkOfferingService.network_offering_id == offering.id).order_by(NetworkOfferingService.service)):
        services.setdefault(row.service, []).append(row.provider)
    return services


def capabilities_of(offering: NetworkOffering) -> dict[str, dict[str, str]]:
    return json.loads(offering.service_capabilities) if offering.service_capabilities else {}


def service_providers(registry: PluginRegistry, supported: list[str],
                      provider_list: list[dict[str, str]]) -> dict[str, str]:
    """{service: provider} from `supportedservices` and `serviceproviderlist` (VirtualRouter by default).

    Raises InvalidParameter naming the unknown service, the provider not installed, or the provider
    that does not declare the service."""
    services = {_service_name(service): "" for service in supported}
    for index, entry in enumerate(provider_list):
        service, provider = entry.get("service"), entry.get("provider")
        if not service or not provider:
            raise InvalidParameter(f"serviceproviderlist[{index}]", "each entry needs .service and .provider")
        canonical = _service_name(service, f"serviceproviderlist[{index}].service")
        if canonical not in services:
            raise InvalidParameter(f"serviceproviderlist[{index}].service",
                                   f"{canonical} is not among supportedservices")
        services[canonical] = _check_provider(registry, canonical, provider, index)
    return {service: provider or DEFAULT_PROVIDER for service, provider in services.items()}


def _check_provider(registry: PluginRegistry, service: str, provider: str, index: int) -> str:
    installed = {name.lower(): name for name in registry.network_providers()}
    param = f"serviceproviderlist[{index}].provider"
    canonical = installed.get(provider.strip().lower())
    if canonical is None:
        router_types = {name.lower(): name for name in ROUTER_PROVIDERS}
        if provider.strip().lower() in router_types:
            return router_types[provider.strip().lower()]
        raise InvalidParameter(param, f"{provider!r} is not an installed network service provider "
                                      f"(installed: {', '.join(sorted(installed.values())) or 'none'})")
    declared = registry.network_provider_class(canonical).capabilities.services
    if NetworkService(service) not in declared:
        raise InvalidParameter(param, f"provider {canonical} does not offer {service} (it offers "
                                      f"{', '.join(sorted(s.value for s in declared)) or 'nothing'})")
    return canonical


def _capabilities(entries: list[dict[str, str]], services: dict[str, str]) -> dict[str, dict[str, str]]:
    capabilities: dict[str, dict[str, str]] = {}
    for index, entry in enumerate(entries):
        service, name, value = entry.get("service"), entry.get("capabilitytype"), entry.get("capabilityvalue")
        if not service or not name or value is None:
            raise InvalidParameter(f"servicecapabilitylist[{index}]",
                                   "each entry needs .service, .capabilitytype and .capabilityvalue")
        canonical = _service_name(service, f"servicecapabilitylist[{index}].service")
        if canonical not in services:
            raise InvalidParameter(f"servicecapabilitylist[{index}].service", f"{canonical} is not supported "
                                                                              f"by this offering")
        capabilities.setdefault(canonical, {})[name] = value
    return capabilities


def _service_name(value: str, param: str = "supportedservices") -> str:
    canonical = SERVICE_NAMES.get(value.strip().lower())
    if canonical is None:
        raise InvalidParameter(param, f"{value!r} is not a network service; use one of "
                                      f"{', '.join(sorted(SERVICE_NAMES.values()))}")
    return canonical


def _offerings_with(service: str) -> Any:
    return select(NetworkOfferingService.network_offering_id).where(NetworkOfferingService.service == service)


def _unique_name(session: Session, name: str) -> None:
    if not name.strip():
        raise InvalidParameter("name", "a network offering needs a non-empty name")
    taken = session.scalar(select(NetworkOffering.uuid).where(func.lower(NetworkOffering.name) == name.strip().lower(),
                                                              NetworkOffering.removed.is_(None)))
    if taken is not None:
        raise InvalidParameter("name", f"a network offering named {name.strip()} already exists ({taken})")


def _choice(param: str, value: str, accepted: list[str] | tuple[str, ...]) -> str:
    folded = {item.lower(): item for item in accepted}
    if value.strip().lower() not in folded:
        raise InvalidParameter(param, f"{value!r} is not one of {', '.join(accepted)}")
    return folded[value.strip().lower()]

