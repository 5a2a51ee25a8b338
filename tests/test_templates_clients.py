"""Libcloud and `cs` read templates, OS types and offerings from the real `cirro serve`."""

from __future__ import annotations

from cs import CloudStack
from libcloud.compute.drivers.cloudstack import CloudStackNodeDriver
from sqlalchemy import select

from cirrostack.db.database import Database
from cirrostack.db.models import Account, Zone
from cirrostack.services import templates


def _database(server) -> Database:
    return Database(server.db_url or f"sqlite:///{server.data_dir / 'cirrostack.db'}")


def _add_zone(server, name: str, with_builtin_template: bool = False) -> str:
    """A zone written straight into the server's database (zone commands are another area's)."""
    database = _database(server)
    try:
        with database.session() as session:
            zone = Zone(name=name, dns1="8.8.8.8", internal_dns1="10.0.0.1")
            session.add(zone)
            session.flush()
            if with_builtin_template:
                admin = session.scalars(select(Account).where(Account.name == "admin")).one()
                templates.create_builtin_template(session, zone, admin)
            return zone.uuid
    finally:
        database.dispose()


def test_libcloud_lists_sizes_and_the_ready_builtin_image(cirro_server, admin_keys):
    _add_zone(cirro_server, "libcloud-sim", with_builtin_template=True)
    driver = CloudStackNodeDriver(admin_keys.api_key, admin_keys.secret_key, url=admin_keys.endpoint, secure=False)
    sizes = {size.name: size for size in driver.list_sizes()}
    assert {"Small Instance", "Medium Instance"} <= set(sizes)
    assert sizes["Medium Instance"].ram == 1024
    images = driver.list_images()
    assert templates.SIMULATOR_TEMPLATE_NAME in [image.name for image in images]


def test_cs_lists_os_types_and_registers_a_template(cirro_server, admin_keys):
    client = CloudStack(endpoint=admin_keys.endpoint, key=admin_keys.api_key, secret=admin_keys.secret_key)
    os_types = client.listOsTypes(fetch_list=True)
    assert len(os_types) >= 200
    centos = next(row for row in os_types if row["description"] == "CentOS 5.6 (64-bit)")
    zone_id = _add_zone(cirro_server, "cs-zone")
    reply = client.registerTemplate(name="cs-tpl", displaytext="cs", format="QCOW2", hypervisor="KVM",
                                    ostypeid=centos["id"], url="http://images.example.org/x.qcow2", zoneid=zone_id)
    assert reply["count"] == 1 and reply["template"][0]["status"] == templates.NOT_DOWNLOADED
    listed = client.listTemplates(templatefilter="self", name="cs-tpl", fetch_list=True)
    assert [(row["zoneid"], row["isready"]) for row in listed] == [(zone_id, False)]
