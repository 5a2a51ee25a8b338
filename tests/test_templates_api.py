"""Templates, ISOs and OS types through the API, in-process, on SQLite and MariaDB."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from cirrostack.db.models import Account, Template, Zone
from cirrostack.services import templates
from cirrostack.services.seed import stable_uuid

URL = "http://images.example.org/centos.qcow2"


def _zone(operator_api, name: str) -> Zone:
    with operator_api.server.database.session() as session:
        zone = Zone(name=name, dns1="8.8.8.8", internal_dns1="10.0.0.1")
        session.add(zone)
        session.flush()
        return zone


def _os_type(operator_api, description: str = "CentOS 5.6 (64-bit)") -> str:
    status, body = operator_api.root("listOsTypes", description=description)
    assert status == 200 and body["count"] == 1, body
    return body["ostype"][0]["id"]


def _register(call, zone_id: str, os_type: str, **extra):
    params = {"name": "centos", "displaytext": "CentOS", "format": "QCOW2", "hypervisor": "KVM",
              "ostypeid": os_type, "url": URL, "zoneid": zone_id, **extra}
    return call("registerTemplate", **params)


def test_os_types_are_cloudstacks_catalogue_with_stable_ids(operator_api):
    status, body = operator_api.root("listOsCategories", pagesize=-1)
    assert status == 200
    names = {category["name"] for category in body["oscategory"]}
    assert {"CentOS", "Debian", "Oracle", "RedHat", "SUSE", "Windows", "Novel", "Unix", "Ubuntu", "Other"} <= names
    status, body = operator_api.root("listOsTypes", pagesize=-1)
    assert body["count"] >= 200
    described = {row["description"]: row for row in body["ostype"]}
    for description in ("CentOS 5.6 (64-bit)", "Other Linux (64-bit)", "Windows Server 2012 (64-bit)"):
        assert described[description]["id"] == stable_uuid("guest-os", description)
        assert described[description]["isuserdefined"] is False
    windows = next(c for c in operator_api.root("listOsCategories", name="Windows")[1]["oscategory"])
    status, body = operator_api.root("listOsTypes", oscategoryid=windows["id"], pagesize=-1)
    assert body["count"] > 10 and all(row["oscategoryid"] == windows["id"] for row in body["ostype"])


def test_register_template_records_url_and_says_it_is_not_downloaded(operator_api):
    zone = _zone(operator_api, "z1")
    status, body = _register(operator_api.root, zone.uuid, _os_type(operator_api), ispublic="true")
    assert status == 200, body
    assert body["count"] == 1
    row = body["template"][0]
    assert row["zoneid"] == zone.uuid and row["isready"] is False
    assert row["status"] == templates.NOT_DOWNLOADED
    assert row["format"] == "QCOW2" and row["hypervisor"] == "KVM" and row["ostypename"] == "CentOS 5.6 (64-bit)"
    with operator_api.server.database.session() as session:
        assert session.scalars(select(Template.url).where(Template.uuid == row["id"])).one() == URL
    status, body = operator_api.root("listEvents", type="TEMPLATE.CREATE")
    assert body["count"] == 1 and "centos" in body["event"][0]["description"]


def test_register_for_all_zones_gives_one_row_per_zone(operator_api):
    zones = [_zone(operator_api, "a"), _zone(operator_api, "b")]
    status, body = _register(operator_api.root, "-1", _os_type(operator_api))
    assert status == 200, body
    assert sorted(row["zoneid"] for row in body["template"]) == sorted(zone.uuid for zone in zones)
    assert all(row["crossZones"] is True for row in body["template"])


def test_format_that_does_not_suit_the_hypervisor_is_431_naming_format(operator_api):
    zone = _zone(operator_api, "z1")
    status, body = _register(operator_api.root, zone.uuid, _os_type(operator_api), format="OVA")
    assert status == 431 and body["errortext"].startswith("format:") and "KVM" in body["errortext"]
    status, body = _register(operator_api.root, zone.uuid, _os_type(operator_api), format="PNG")
    assert status == 431 and body["errortext"].startswith("format:")
    status, body = _register(operator_api.root, zone.uuid, _os_type(operator_api), hypervisor="Nope")
    assert status == 431 and body["errortext"].startswith("hypervisor:")


def test_unknown_ostypeid_is_431_naming_it(operator_api):
    zone = _zone(operator_api, "z1")
    status, body = _register(operator_api.root, zone.uuid, "0b8a3f5e-0000-4000-8000-000000000000")
    assert status == 431 and "ostypeid" in body["errortext"]


def test_users_see_public_and_their_own_templates_never_another_tenants_private_one(operator_api):
    zone = _zone(operator_api, "z1")
    os_type = _os_type(operator_api)
    alice, bob = operator_api.user("alice"), operator_api.user("bob")
    status, body = _register(alice, zone.uuid, os_type, name="alice-private", ispublic="false")
    assert status == 200, body
    private_id = body["template"][0]["id"]
    assert _register(bob, zone.uuid, os_type, name="bob-public", ispublic="true")[0] == 200
    _status, body = alice("listTemplates", templatefilter="self")
    assert [row["name"] for row in body["template"]] == ["alice-private"]
    _status, body = bob("listTemplates", templatefilter="community")
    assert [row["name"] for row in body["template"]] == ["bob-public"]
    for template_filter in ("featured", "self", "community", "executable", "sharedexecutable", "selfexecutable"):
        _status, body = bob("listTemplates", templatefilter=template_filter)
        assert "alice-private" not in {row["name"] for row in body.get("template", [])}, template_filter
    status, body = bob("listTemplates", templatefilter="self", id=private_id)
    assert status == 431 and "id" in body["errortext"]
    status, body = bob("deleteTemplate", id=private_id)
    assert status == 431
    status, body = bob("listTemplates", templatefilter="all")
    assert status == 431 and body["errortext"].startswith("templatefilter:")
    status, body = operator_api.root("listTemplates", templatefilter="all")
    assert {"alice-private", "bob-public"} <= {row["name"] for row in body["template"]}


def test_update_copy_and_delete_a_template(operator_api):
    first, second = _zone(operator_api, "z1"), _zone(operator_api, "z2")
    _status, body = _register(operator_api.root, first.uuid, _os_type(operator_api))
    template_id = body["template"][0]["id"]
    status, body = operator_api.root("updateTemplate", id=template_id, name="renamed", displaytext="new text",
                                     ostypeid=_os_type(operator_api, "Other Linux (64-bit)"))
    assert status == 200, body
    assert body["template"]["name"] == "renamed" and body["template"]["ostypename"] == "Other Linux (64-bit)"
    status, body = operator_api.root("copyTemplate", id=template_id, sourcezoneid=first.uuid, destzoneid=second.uuid)
    assert status == 200, body
    job = operator_api.job_result(body["jobid"])
    assert job["jobstatus"] == 1, job
    copied = job["jobresult"]["template"]
    assert copied["zoneid"] == second.uuid and copied["isready"] is False
    assert copied["status"] == templates.NOT_COPIED
    _status, body = operator_api.root("copyTemplate", id=template_id, sourcezoneid=first.uuid,
                                      destzoneid=second.uuid)
    job = operator_api.job_result(body["jobid"])
    assert job["jobstatus"] == 2 and "destzoneid" in job["jobresult"]["errortext"]
    _status, body = operator_api.root("deleteTemplate", id=template_id, zoneid=first.uuid)
    assert operator_api.job_result(body["jobid"])["jobstatus"] == 1
    _status, body = operator_api.root("listTemplates", templatefilter="all", id=template_id)
    assert [row["zoneid"] for row in body["template"]] == [second.uuid]
    _status, body = operator_api.root("deleteTemplate", id=template_id)
    assert operator_api.job_result(body["jobid"])["jobstatus"] == 1
    assert operator_api.root("listTemplates", templatefilter="all", id=template_id)[0] == 431


def test_isos_register_list_and_delete_with_deleteisosresponse(operator_api):
    zone = _zone(operator_api, "z1")
    status, body = operator_api.root("registerIso", name="netinst", displaytext="Debian netinst", zoneid=zone.uuid,
                                     url="http://images.example.org/debian.iso", ostypeid=_os_type(operator_api))
    assert status == 200, body
    iso = body["iso"][0]
    assert iso["bootable"] is True and iso["status"] == templates.NOT_DOWNLOADED and "format" not in iso
    status, body = operator_api.root("registerIso", name="x", displaytext="x", zoneid=zone.uuid,
                                     url="http://images.example.org/x.iso")
    assert status == 431 and body["errortext"].startswith("ostypeid:")
    _status, body = operator_api.root("listIsos", isofilter="all")
    assert [row["name"] for row in body["iso"]] == ["netinst"]
    _status, body = operator_api.root("listTemplates", templatefilter="all")
    assert "netinst" not in {row["name"] for row in body.get("template", [])}
    reply = operator_api._root.get("/client/api", query_string={"command": "deleteIso", "id": iso["id"],
                                                                "response": "json"})
    reply_body = json.loads(reply.data)
    assert "deleteisosresponse" in reply_body
    job = operator_api.job_result(reply_body["deleteisosresponse"]["jobid"])
    assert job["jobstatus"] == 1
    assert "iso" not in operator_api.root("listIsos", isofilter="all")[1]


def test_builtin_simulator_template_is_ready_featured_and_executable(operator_api):
    zone = _zone(operator_api, "sim")
    with operator_api.server.database.session() as session:
        admin = session.scalars(select(Account).where(Account.name == "admin")).one()
        first = templates.create_builtin_template(session, session.get(Zone, zone.id), admin)
        again = templates.create_builtin_template(session, session.get(Zone, zone.id), admin)
        assert first.id == again.id and len(again.zone_refs) == 1
    user = operator_api.user("carol")
    _status, body = user("listTemplates", templatefilter="executable")
    assert [row["name"] for row in body["template"]] == [templates.SIMULATOR_TEMPLATE_NAME]
    row = body["template"][0]
    assert row["isready"] is True and row["templatetype"] == "BUILTIN" and row["hypervisor"] == "Simulator"
    assert row["id"] == stable_uuid("template", templates.SIMULATOR_TEMPLATE_NAME)
    _status, body = user("listTemplates", templatefilter="featured")
    assert body["count"] == 1


@pytest.mark.parametrize("command", ["registerTemplate", "listTemplates", "listIsos", "listOsTypes"])
def test_commands_are_listed_by_list_apis(operator_api, command):
    status, body = operator_api.root("listApis", name=command)
    assert status == 200 and body["api"][0]["name"] == command
