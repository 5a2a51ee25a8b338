"""Hyper-V's "Snapshot: disk" row of the 4.3 support matrix: createSnapshot and createSnapshotPolicy on a
Hyper-V VM's ROOT volume are refused with 432 naming Hyper-V and volume_snapshots, before any cmdlet
reaches a host, and nothing is recorded."""

from __future__ import annotations

import pytest
from hyperv_cloud import Cloud, deploy
from test_support_matrix_api import refused


@pytest.fixture(scope="module")
def root_volume(cloud: Cloud) -> dict:
    vm = deploy(cloud, name="hv-volsnap")
    return cloud.client.listVolumes(virtualmachineid=vm["id"], type="ROOT", listall=True, fetch_list=True)[0]


def test_create_snapshot_is_refused(cloud: Cloud, root_volume: dict) -> None:
    text = refused(cloud, "createSnapshot", volumeid=root_volume["id"])
    assert text == (f"hypervisor Hyperv does not declare volume_snapshots: volume {root_volume['name']} cannot have "
                    "snapshots on this hypervisor"), text
    assert not cloud.client.listSnapshots(volumeid=root_volume["id"], listall=True, fetch_list=True)


def test_create_snapshot_policy_is_refused(cloud: Cloud, root_volume: dict) -> None:
    text = refused(cloud, "createSnapshotPolicy", volumeid=root_volume["id"], intervaltype="DAILY",
                   schedule="00:03", timezone="UTC", maxsnaps=2)
    assert text.startswith("hypervisor Hyperv does not declare volume_snapshots"), text
    assert root_volume["name"] in text
    assert not cloud.client.listSnapshotPolicies(volumeid=root_volume["id"], fetch_list=True)
