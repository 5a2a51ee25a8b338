"""listServiceOfferings and listDiskOfferings over CloudStack's seed offerings, on SQLite and MariaDB."""

from __future__ import annotations

from cirrostack.db.models import Domain, ServiceOffering
from cirrostack.services.seed import stable_uuid


def test_default_compute_offerings_as_a_fresh_cloudstack_has_them(operator_api):
    status, body = operator_api.root("listServiceOfferings")
    assert status == 200
    offered = {row["name"]: row for row in body["serviceoffering"]}
    assert set(offered) == {"Small Instance", "Medium Instance"}
    small, medium = offered["Small Instance"], offered["Medium Instance"]
    assert (small["cpunumber"], small["cpuspeed"], small["memory"]) == (1, 500, 512)
    assert (medium["cpunumber"], medium["cpuspeed"], medium["memory"]) == (1, 1000, 1024)
    assert small["id"] == stable_uuid("service-offering", "Small Instance")
    assert small["issystem"] is False and small["iscustomized"] is False and small["storagetype"] == "shared"


def test_system_offerings_only_with_issystem_and_only_for_admins(operator_api):
    status, body = operator_api.root("listServiceOfferings", issystem="true")
    assert status == 200
    names = {row["name"] for row in body["serviceoffering"]}
    assert "System Offering For Software Router" in names and "Small Instance" not in names
    _status, body = operator_api.root("listServiceOfferings", issystem="true", systemvmtype="domainrouter")
    assert {row["systemvmtype"] for row in body["serviceoffering"]} == {"domainrouter"}
    user = operator_api.user("dora")
    status, body = user("listServiceOfferings", issystem="true")
    assert status == 431 and body["errortext"].startswith("issystem:")


def test_a_domain_offering_is_seen_in_its_domain_only(operator_api):
    status, body = operator_api.root("createDomain", name="sales")
    assert status == 200
    sales_id = body["domain"]["id"]
    with operator_api.server.database.session() as session:
        sales = session.query(Domain).filter_by(uuid=sales_id).one()
        session.add(ServiceOffering(name="Sales Large", display_text="for sales", cpu_number=4, cpu_speed_mhz=2000,
                                    memory_mb=8192, domain_id=sales.id))
    status, body = operator_api.root("createAccount", accounttype=0, email="s@example.org", firstname="s",
                                     lastname="s", username="seller", password="pw-123456", domainid=sales_id)
    assert status == 200, body
    outsider = operator_api.user("outsider")
    _status, body = outsider("listServiceOfferings")
    assert "Sales Large" not in {row["name"] for row in body["serviceoffering"]}
    _status, body = operator_api.root("listServiceOfferings", domainid=sales_id)
    assert [row["name"] for row in body["serviceoffering"]] == ["Sales Large"]
    assert body["serviceoffering"][0]["domain"] == "sales"


def test_default_disk_offerings(operator_api):
    user = operator_api.user("erin")
    status, body = user("listDiskOfferings")
    assert status == 200
    sizes = {row["name"]: (row["disksize"], row["iscustomized"]) for row in body["diskoffering"]}
    assert sizes == {"Small": (5, False), "Medium": (20, False), "Large": (100, False), "Custom": (0, True)}
    _status, body = user("listDiskOfferings", name="Large")
    assert body["count"] == 1 and body["diskoffering"][0]["displaytext"] == "Large Disk, 100 GB"
