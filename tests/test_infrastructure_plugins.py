"""addCluster/addHost name the hypervisor plugin that is missing, broken or failing."""

from __future__ import annotations

import json

import pytest

from cirrostack.api.http import api_app, build_server
from cirrostack.config import ServerConfig
from cirrostack.errors import InvalidParameter
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.plugins.report import PluginRecord
from cirrostack.services.infrastructure._hypervisors import installed_type

BROKEN_REASON = "import failed: ModuleNotFoundError: No module named 'ovm3api'"


@pytest.fixture
def registry():
    loaded = PluginRegistry.load()
    broken = PluginRecord(name="ovm3", distribution="cirrostack-hv-ovm3", version="1.0",
                          entry_point="cirrostack_hv_ovm3.plugin")
    broken.mark_broken(BROKEN_REASON)
    loaded.records.append(broken)
    return loaded


def test_installed_type_is_spelled_as_the_plugin_spells_it(registry):
    assert installed_type(registry, " simulator ") == "Simulator"


def test_broken_plugin_is_named_with_its_recorded_reason(registry):
    with pytest.raises(InvalidParameter) as caught:
        installed_type(registry, "Ovm3")
    assert caught.value.param == "hypervisor"
    assert "plugin ovm3 for hypervisor Ovm3 is not loaded" in str(caught.value) and BROKEN_REASON in str(caught.value)


def test_unknown_hypervisor_lists_the_installed_types(registry):
    with pytest.raises(InvalidParameter) as caught:
        installed_type(registry, "Bochs")
    assert caught.value.param == "hypervisor" and "Bochs" in str(caught.value) and "Simulator" in str(caught.value)


@pytest.fixture
def api(tmp_path, registry):
    server = build_server(ServerConfig(data_dir=tmp_path, admin_password="pw", server_id="test:1"), registry)
    client = api_app(server, integration=True).test_client()

    def call(command, **params):
        reply = client.get("/client/api", query_string={"response": "json", "command": command, **params})
        return reply.status_code, json.loads(reply.data)[command.lower() + "response"]

    yield call, server
    server.close()


def _sim_cluster(call):
    zone = call("createZone", name="z", networktype="Advanced", dns1="1.1.1.1", internaldns1="10.0.0.1")[1]["zone"]
    pod = call("createPod", zoneid=zone["id"], name="p", gateway="10.1.0.1", netmask="255.255.0.0",
               startip="10.1.0.10")[1]["pod"]
    cluster = call("addCluster", zoneid=zone["id"], podid=pod["id"], clustername="c", clustertype="CloudManaged",
                   hypervisor="Simulator")[1]["cluster"][0]
    return zone, pod, cluster


def test_add_cluster_with_a_broken_plugin_says_why_through_the_api(api):
    call, _server = api
    zone, pod, _cluster = _sim_cluster(call)
    status, body = call("addCluster", zoneid=zone["id"], podid=pod["id"], clustername="o", clustertype="CloudManaged",
                        hypervisor="Ovm3")
    assert status == 431 and BROKEN_REASON in body["errortext"] and body["errortext"].startswith("hypervisor:")


def test_add_host_with_another_hypervisor_than_the_cluster_names_hypervisor(api):
    call, _server = api
    zone, pod, cluster = _sim_cluster(call)
    status, body = call("addHost", zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"], hypervisor="KVM",
                        url="http://sim/c/h", username="u", password="p")
    assert status == 431 and body["errortext"].startswith("hypervisor:") and "KVM" in body["errortext"]


def test_add_host_the_plugin_cannot_reach_fails_with_the_plugin_error_and_stores_nothing(api):
    call, server = api
    zone, pod, cluster = _sim_cluster(call)
    server.registry.hypervisor("Simulator").faults.fail_next("connect_host", error="HostUnreachable")
    status, body = call("addHost", zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"],
                        hypervisor="Simulator", url="http://sim/c/h1", username="u", password="p")
    assert status == 534, body
    assert call("listHosts")[1] == {}
    status, body = call("addHost", zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"],
                        hypervisor="Simulator", url="ftp://elsewhere/h1", username="u", password="p")
    assert status == 431 and body["errortext"].startswith("url:")
