"""`cirro report sockets` reads the hosts table and prints hosts and sockets per hypervisor."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cirrostack.cli import cli
from cirrostack.db import Database
from cirrostack.db.models.infrastructure import Cluster, Host, Pod, Zone
from cirrostack.hookspecs.hypervisor import HostRef
from cirrostack.plugins.registry import PluginRegistry

SHAPES = {"h0": 1, "h1": 2, "h2": 4}


def _hosts_reported_by_the_simulator(database_url: str) -> None:
    driver = PluginRegistry.load().hypervisor("Simulator")
    database = Database(database_url)
    database.upgrade()
    with database.session() as session:
        zone = Zone(name="z", dns1="8.8.8.8", internal_dns1="10.0.0.2")
        pod = Pod(name="p", zone=zone, gateway="10.0.0.1", netmask="255.255.255.0", start_ip="10.0.0.10")
        cluster = Cluster(name="c", zone=zone, pod=pod, hypervisor_type="Simulator")
        session.add_all([zone, pod, cluster])
        session.flush()
        for name, sockets in SHAPES.items():
            url = f"http://sim/c/{name}?sockets={sockets}"
            info = driver.connect_host(HostRef(uuid=name, name=name, url=url))
            session.add(Host(name=name, zone_id=zone.id, pod_id=pod.id, cluster_id=cluster.id, url=url,
                             hypervisor_type="Simulator", cpu_sockets=info.sockets, cpu_cores=info.total_cores,
                             cpu_speed_mhz=info.cpu_mhz, memory_bytes=info.memory_bytes))
        removed = Host(name="gone", zone_id=zone.id, pod_id=pod.id, cluster_id=cluster.id, url="http://sim/c/x",
                       hypervisor_type="Simulator", cpu_sockets=8)
        removed.mark_removed()
        session.add(removed)
    database.dispose()


def test_sockets_report_counts_live_hosts_per_hypervisor(database_url: str) -> None:
    _hosts_reported_by_the_simulator(database_url)
    result = CliRunner().invoke(cli, ["report", "sockets", "--db", database_url, "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["hypervisor"]: row for row in json.loads(result.output)}
    assert rows["Simulator"] == {"hypervisor": "Simulator", "hosts": 3, "cpusockets": sum(SHAPES.values())}

    table = CliRunner().invoke(cli, ["report", "sockets", "--db", database_url])
    assert table.exit_code == 0, table.output
    simulator_line = next(line for line in table.output.splitlines() if line.startswith("Simulator"))
    assert simulator_line.split() == ["Simulator", "3", str(sum(SHAPES.values()))]


def test_sockets_report_on_an_empty_database_says_so(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["report", "sockets", "--db", f"sqlite:///{tmp_path / 'empty.db'}"])
    assert result.exit_code != 0 and "cirro db upgrade" in result.output
