"""listConfigurations and updateConfiguration (root admin, as in CloudStack 4.3)."""

from __future__ import annotations

from typing import Any

from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, Field, ListResult, Param, Response
from cirrostack.api.params import String, Uuid
from cirrostack.db.models import Account, Cluster, Zone
from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.settings import SettingScope
from cirrostack.services import settings
from cirrostack.services.context import ROOT_ADMIN
from cirrostack.services.scope import load_visible

_PACKAGE = "org.apache.cloudstack.api.command.admin.config."

CONFIGURATION_RESPONSE = Response("configuration", (
    Field("category", "string", "the category of the configuration"),
    Field("description", "string", "the description of the configuration"),
    Field("name", "string", "the name of the configuration"),
    Field("value", "string", "the value of the configuration (secret values are masked)"),
    Field("scope", "string", "scope(zone/cluster/pool/account) of the parameter that needs to be updated"),
    Field("id", "long", "the value of the configuration"),
    Field("isdynamic", "boolean", "true if the configuration is dynamic"),
))


def _scope_params(verb: str) -> tuple[Param, ...]:
    return (Param("zoneid", Uuid("Zone"), f"the ID of the Zone to {verb} the parameter value for corresponding "
                                          "zone", since="4.2.0"),
            Param("clusterid", Uuid("Cluster"), f"the ID of the Cluster to {verb} the parameter value for "
                                                "corresponding cluster", since="4.2.0"),
            Param("storageid", Uuid("StoragePool", load=False), f"the ID of the Storage pool to {verb} the "
                                                                "parameter value for corresponding storage pool",
                  since="4.2.0"),
            Param("accountid", Uuid("Account"), f"the ID of the Account to {verb} the parameter value for "
                                                "corresponding account", since="4.2.0"))


LIST_CONFIGURATIONS = Command(
    "listConfigurations", "Lists all configurations.", kind=CommandKind.LIST, response=CONFIGURATION_RESPONSE,
    roles=ROOT_ADMIN, java_class=_PACKAGE + "ListCfgsByCmd", related=("updateConfiguration",),
    params=(Param("name", String(), "lists configuration by name"),
            Param("category", String(), "lists configurations by category"),
            *_scope_params("list"), *LIST_PARAMS))

UPDATE_CONFIGURATION = Command(
    "updateConfiguration", "Updates a configuration.", response=CONFIGURATION_RESPONSE, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "UpdateCfgCmd", related=("listConfigurations",),
    params=(Param("name", String(), "the name of the configuration", required=True),
            Param("value", String(), "the value of the configuration; empty to go back to the global value or the "
                                     "default", length=4096),
            *_scope_params("update")))


def _scope_ids(call: Call, zoneid: Zone | None, clusterid: Cluster | None, storageid: str | None,
               accountid: Account | None) -> dict[str, int | None]:
    storage_id = None
    if storageid is not None:
        try:
            storage_id = load_visible(call.session, call.caller, "StoragePool", storageid, "storageid").id
        except LookupError:
            raise InvalidParameter("storageid", "this server has no storage pools to scope settings to") from None
    return {"zone_id": zoneid.id if zoneid else None, "cluster_id": clusterid.id if clusterid else None,
            "account_id": accountid.id if accountid else None, "storage_id": storage_id}


def configuration_view(shown: settings.Shown) -> dict[str, Any]:
    view: dict[str, Any] = {"category": shown.setting.category, "description": shown.setting.description,
                            "name": shown.setting.key, "value": shown.value, "scope": shown.setting.scope.value,
                            "isdynamic": settings.is_dynamic(shown.setting)}
    if shown.scope_id is not None:
        view["id"] = shown.scope_id
    return {key: value for key, value in view.items() if value is not None}


@LIST_CONFIGURATIONS.handler
def list_configurations(call: Call, name: str | None = None, category: str | None = None, keyword: str | None = None,
                        zoneid: Zone | None = None, clusterid: Cluster | None = None, storageid: str | None = None,
                        accountid: Account | None = None, **_paging: Any) -> ListResult:
    ids = _scope_ids(call, zoneid, clusterid, storageid, accountid)
    given = [(scope, ids[key]) for scope, key in ((SettingScope.ZONE, "zone_id"), (SettingScope.CLUSTER, "cluster_id"),
                                                  (SettingScope.STORAGE, "storage_id"),
                                                  (SettingScope.ACCOUNT, "account_id")) if ids[key] is not None]
    if len(given) > 1:
        raise InvalidParameter(", ".join(settings.SCOPE_PARAMS[s] for s, _ in given),
                               "give at most one of zoneid, clusterid, storageid and accountid")
    scope, scope_id = given[0] if given else (None, None)
    rows = settings.shown_values(call.session, name=name, category=category, keyword=keyword, scope=scope,
                                 scope_id=scope_id)
    return ListResult([configuration_view(row) for row in call.paging.slice(rows)], len(rows))


@UPDATE_CONFIGURATION.handler
def update_configuration(call: Call, name: str, value: str | None = None, zoneid: Zone | None = None,
                         clusterid: Cluster | None = None, storageid: str | None = None,
                         accountid: Account | None = None) -> dict[str, Any]:
    ids = _scope_ids(call, zoneid, clusterid, storageid, accountid)
    setting = settings.set_value(call.session, call.caller, name, value, secrets=call.secrets, **ids)
    if settings.is_plugin_setting(setting):
        call.registry.use_settings(settings.plugin_values(call.session, call.secrets))
    scope = setting.scope if any(v is not None for v in ids.values()) else None
    scope_id = next((v for v in ids.values() if v is not None), None)
    shown = settings.shown_values(call.session, name=setting.key, scope=scope, scope_id=scope_id)
    return configuration_view(next(row for row in shown if row.setting is setting))
