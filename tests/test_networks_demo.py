"""The zone wizard's networking sequence: in-process through the demo (all or nothing), and unchanged with
`cs` against a real `cirro serve`."""

from __future__ import annotations

from pathlib import Path

from cs import CloudStack
from sqlalchemy import func, select

from cirrostack.api.http import build_server
from cirrostack.config import ServerConfig
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.networks import PhysicalNetwork
from cirrostack.demo import ZONE_NAME, build_demo_zone
from cirrostack.services.networks.zone_wizard import GuestNetworking, set_up_guest_networking


def test_demo_with_guest_networking_builds_the_wizard_zone(database_url, tmp_path: Path):
    server = build_server(ServerConfig(data_dir=tmp_path / "data", db=database_url, admin_password="pw",
                                       job_workers=1, server_id="demo-net:1"))
    try:
        printed: list[str] = []
        demo = build_demo_zone(server, announce=printed.append, guest_networking=True)
        assert demo is not None and demo.physical_network is not None and demo.public_range is not None
        assert (demo.physical_network["state"], demo.physical_network["vlan"]) == ("Enabled", "100-199")
        assert any(line.startswith("  physical network physical-net: VLAN guest VLANs 100-199") for line in printed)
        with server.database.session() as session:
            zone = session.scalars(select(Zone).where(Zone.name == ZONE_NAME)).one()
            assert session.scalar(select(func.count()).select_from(PhysicalNetwork)
                                  .where(PhysicalNetwork.zone_id == zone.id)) == 1
    finally:
        server.close()


def test_a_failing_wizard_step_keeps_nothing_of_the_demo(database_url, tmp_path: Path):
    server = build_server(ServerConfig(data_dir=tmp_path / "data", db=database_url, admin_password="pw",
                                       job_workers=1, server_id="demo-net:1", disabled_plugins=["vlan"]))
    try:
        try:
            build_demo_zone(server, announce=lambda _line: None, guest_networking=True)
        except Exception as error:  # noqa: BLE001 - the message is what the operator reads
            assert "createPhysicalNetwork failed (431): isolationmethods: 'VLAN' is not an installed" in str(error)
        else:
            raise AssertionError("the demo should fail without the VLAN isolation plugin")
        with server.database.session() as session:
            assert session.scalar(select(func.count()).select_from(Zone)) == 0
            assert session.scalar(select(func.count()).select_from(PhysicalNetwork)) == 0
    finally:
        server.close()


def test_the_wizard_sequence_runs_unchanged_with_cs_against_cirro_serve(cirro_server, admin_keys):
    client = CloudStack(endpoint=admin_keys.endpoint, key=admin_keys.api_key, secret=admin_keys.secret_key,
                        fetch_result=True, poll_interval=0.2)

    def run(command: str, object_name: str, **params: str):
        return getattr(client, command)(**params)[object_name]

    zone = run("createZone", "zone", name="wizard-zone", networktype="Advanced", dns1="8.8.8.8",
               internaldns1="10.0.0.2", guestcidraddress="10.1.1.0/24")
    made = set_up_guest_networking(run, zone["id"], GuestNetworking(public_start="192.0.2.10",
                                                                    public_end="192.0.2.20"))
    assert made["physical_network"]["state"] == "Enabled"
    providers = client.listNetworkServiceProviders(physicalnetworkid=made["physical_network"]["id"])
    assert {p["name"]: p["state"] for p in providers["networkserviceprovider"]} == {
        "VirtualRouter": "Enabled", "VpcVirtualRouter": "Enabled", "InternalLbVm": "Enabled"}
    ranges = client.listVlanIpRanges(zoneid=zone["id"])["vlaniprange"]
    assert [(r["startip"], r["endip"]) for r in ranges] == [("192.0.2.10", "192.0.2.20")]
