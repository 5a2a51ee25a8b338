"""Every create, update and delete of issue 5's commands leaves an event in listEvents, through
the API in-process as the root admin (SQLite, then MariaDB)."""

from __future__ import annotations

from typing import Any

import pytest

GiB = 1024**3


class Audited:
    """Runs commands as the root admin and checks each leaves exactly one new event of a type."""

    def __init__(self, operator_api) -> None:
        self.api = operator_api

    def count(self, event_type: str) -> int:
        status, body = self.api.root("listEvents", type=event_type)
        assert status == 200, body
        return body.get("count", 0)

    def __call__(self, event_type: str, command: str, **params: Any) -> dict:
        before = self.count(event_type)
        result = self._run(command, params)
        after = self.count(event_type)
        assert after == before + 1, f"{command} left {after - before} {event_type} events"
        status, body = self.api.root("listEvents", type=event_type, page=1, pagesize=1)
        newest = body["event"][0]
        assert newest["account"] == "admin" and newest["level"] == "INFO" and newest["state"] == "Completed"
        return result

    def _run(self, command: str, params: dict[str, Any]) -> dict:
        status, body = self.api.root(command, **params)
        assert status == 200, (command, body)
        submitted = body if "jobid" in body else next(iter(body.values()))
        if not isinstance(submitted, dict) or "jobid" not in submitted:
            return body
        job = self.api.job_result(submitted["jobid"])
        assert job["jobstatus"] == 1, (command, job)
        return job.get("jobresult", {})


@pytest.fixture
def audited(operator_api) -> Audited:
    return Audited(operator_api)


def _os_type(operator_api) -> str:
    status, body = operator_api.root("listOsTypes", description="CentOS 5.6 (64-bit)")
    assert status == 200, body
    return body["ostype"][0]["id"]


def test_infrastructure_changes_leave_events(audited) -> None:
    zone = audited("ZONE.CREATE", "createZone", name="z1", networktype="Advanced", dns1="8.8.8.8",
                   internaldns1="10.0.0.2")["zone"]
    audited("ZONE.EDIT", "updateZone", id=zone["id"], name="zone-one")
    pod = audited("POD.CREATE", "createPod", name="p1", zoneid=zone["id"], gateway="10.1.0.1",
                  netmask="255.255.255.0", startip="10.1.0.10", endip="10.1.0.200")["pod"]
    audited("POD.EDIT", "updatePod", id=pod["id"], name="pod-one")
    cluster = audited("CLUSTER.CREATE", "addCluster", clustername="c1", clustertype="CloudManaged",
                      hypervisor="Simulator", podid=pod["id"], zoneid=zone["id"])["cluster"][0]
    audited("CLUSTER.EDIT", "updateCluster", id=cluster["id"], clustername="cluster-one")
    host = audited("HOST.ADD", "addHost", hypervisor="Simulator", zoneid=zone["id"], podid=pod["id"],
                   clusterid=cluster["id"], username="root", password="pw",
                   url="http://sim/c1/h0?sockets=2&cores=4&mhz=2400&memory=16384")["host"][0]
    audited("HOST.EDIT", "updateHost", id=host["id"], hosttags="ssd")
    audited("MAINT.PREPARE", "prepareHostForMaintenance", id=host["id"])
    audited("MAINT.CANCEL", "cancelHostMaintenance", id=host["id"])

    pool = audited("PRIMARY.STORAGE.CREATE", "createStoragePool", name="ps1", url="nfs://10.0.0.5/export/ps1",
                   zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"],
                   capacitybytes=100 * GiB)["storagepool"]
    audited("PRIMARY.STORAGE.UPDATE", "updateStoragePool", id=pool["id"], tags="fast")
    audited("MAINT.PREPARE.PS", "enableStorageMaintenance", id=pool["id"])
    audited("MAINT.CANCEL.PS", "cancelStorageMaintenance", id=pool["id"])
    audited("MAINT.PREPARE.PS", "enableStorageMaintenance", id=pool["id"])
    audited("PRIMARY.STORAGE.DELETE", "deleteStoragePool", id=pool["id"])
    store = audited("IMAGE.STORE.CREATE", "addImageStore", provider="NFS", url="nfs://10.0.0.7/export/secondary",
                    zoneid=zone["id"])["imagestore"]
    audited("IMAGE.STORE.DELETE", "deleteImageStore", id=store["id"])

    audited("MAINT.PREPARE", "prepareHostForMaintenance", id=host["id"])
    audited("HOST.DELETE", "deleteHost", id=host["id"])
    audited("CLUSTER.DELETE", "deleteCluster", id=cluster["id"])
    audited("POD.DELETE", "deletePod", id=pod["id"])
    audited("ZONE.DELETE", "deleteZone", id=zone["id"])


def test_template_and_iso_changes_leave_events(operator_api, audited) -> None:
    zones = [operator_api.root("createZone", name=name, networktype="Advanced", dns1="8.8.8.8",
                               internaldns1="10.0.0.2")[1]["zone"] for name in ("z1", "z2")]
    os_type = _os_type(operator_api)
    template = audited("TEMPLATE.CREATE", "registerTemplate", name="centos", displaytext="CentOS", format="QCOW2",
                       hypervisor="KVM", ostypeid=os_type, url="http://images.example.org/centos.qcow2",
                       zoneid=zones[0]["id"])["template"][0]
    audited("TEMPLATE.UPDATE", "updateTemplate", id=template["id"], displaytext="CentOS 5.6")
    audited("TEMPLATE.COPY", "copyTemplate", id=template["id"], sourcezoneid=zones[0]["id"],
            destzoneid=zones[1]["id"])
    audited("TEMPLATE.DELETE", "deleteTemplate", id=template["id"])
    iso = audited("ISO.CREATE", "registerIso", name="netinst", displaytext="netinst", zoneid=zones[0]["id"],
                  url="http://images.example.org/netinst.iso", ostypeid=os_type)["iso"][0]
    audited("ISO.DELETE", "deleteIso", id=iso["id"])


def test_configuration_and_alert_changes_leave_events(operator_api, audited) -> None:
    audited("CONFIGURATION.VALUE.EDIT", "updateConfiguration", name="router.template.kvm", value="SystemVM 64")
    audited("ALERT.GENERATE", "generateAlert", type=14, name="ALERT.MANAGEMENT", description="usage server down")
    audited("ALERT.GENERATE", "generateAlert", type=30, name="ALERT.CUSTOM", description="backup job failed")
    alerts = operator_api.root("listAlerts")[1]["alert"]
    assert len(alerts) == 2
    generated = next(a for a in alerts if a["name"] == "ALERT.CUSTOM")
    audited("ALERT.ARCHIVE", "archiveAlerts", ids=generated["id"])
    audited("ALERT.DELETE", "deleteAlerts", type=14)
    assert "alert" not in operator_api.root("listAlerts")[1]


def test_selecting_no_alert_changes_nothing_and_records_nothing(operator_api, audited) -> None:
    before = audited.count("ALERT.DELETE")
    status, body = operator_api.root("deleteAlerts", type=3)
    assert status == 200, body
    assert audited.count("ALERT.DELETE") == before
