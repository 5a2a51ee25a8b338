"""The Hyper-V driver against the WinRM simulator: what it sends, what it leaves behind on failure,
and how Hyper-V's and WinRM's failures reach cirrostack."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import ssl
import uuid

import pytest
from cirrostack_hv_hyperv._script import Step, render
from cirrostack_hv_hyperv._settings import connection_settings
from cirrostack_hv_hyperv._winrm import HostSession
from cirrostack_hv_hyperv.driver import HypervDriver
from hyperv_estate import DOMAIN, PASSWORD, SHARE, USER, Estate
from hyperv_sim import WinRMServer
from test_conformance import POOL, TEMPLATE, host_ref, vm_spec

from cirrostack.errors import CirroError, HostUnreachable, InsufficientCapacity, InvalidParameter, InvalidState
from cirrostack.hookspecs.hypervisor import DiskSpec, HostRef, PowerState, TemplateSpec, VMRef

GIB = 1024**3


@pytest.fixture
def driver() -> HypervDriver:
    return HypervDriver()


def ref(spec) -> VMRef:
    return VMRef(spec.uuid, spec.instance_name)


def test_a_deploy_sends_hyper_v_cmdlets_and_builds_the_vm_from_the_template_copy(estate: Estate, driver) -> None:
    host = host_ref(estate, "hv-01")
    spec = vm_spec(cpus=2, memory_mb=1024)
    status = driver.start_vm(host, spec)
    assert (status.power_state, status.cpus, status.memory_mb) == (PowerState.RUNNING, 2, 1024)
    sent = estate.world.cmdlets_run("hv-01")
    for expected in ("New-SmbMapping", "Invoke-WebRequest", "New-VHD", "New-VM", "Set-VMProcessor", "Set-VMMemory",
                     "Add-VMNetworkAdapter", "Set-VMNetworkAdapterVlan", "Add-VMHardDiskDrive", "Start-VM"):
        assert expected in sent
    assert sent.index("Invoke-WebRequest") < sent.index("New-VHD") < sent.index("New-VM") < sent.index("Start-VM")
    root = next(e for e in estate.world.log if e.cmdlet == "New-VHD")
    assert root.params["ParentPath"] == f"{SHARE}\\template-tmpl-1.vhdx" and root.params["Differencing"] is True
    mapping = next(e for e in estate.world.log if e.cmdlet == "New-SmbMapping")
    assert mapping.params["Password"] == "********" and mapping.params["UserName"] == f"{DOMAIN}\\smbuser"
    vm = estate.hosts["hv-01"].vms[spec.instance_name.lower()]
    assert [a.vlan for a in vm.adapters] == [100] and vm.adapters[0].switch == "External"

    second = vm_spec()
    driver.start_vm(host, second)
    downloads = [e for e in estate.world.log if e.cmdlet == "Invoke-WebRequest"]
    assert len(downloads) == 1, "the template copy on the pool is fetched once and reused"


def test_scale_while_stopped_reaches_the_next_start_and_running_vms_refuse_it(estate: Estate, driver) -> None:
    host = host_ref(estate, "hv-01")
    spec = vm_spec()
    driver.start_vm(host, spec)
    driver.stop_vm(host, ref(spec))
    bigger = dataclasses.replace(spec, cpus=4, memory_mb=2048)
    status = driver.start_vm(host, bigger)
    assert (status.cpus, status.memory_mb, status.power_state) == (4, 2048, PowerState.RUNNING)
    resized = [e.params for e in estate.world.log if e.cmdlet in ("Set-VMProcessor", "Set-VMMemory")][-2:]
    assert resized == [{"VMName": spec.instance_name, "Count": 4},
                       {"VMName": spec.instance_name, "StartupBytes": 2048 * 1024**2, "DynamicMemoryEnabled": False}]
    # Hyper-V itself refuses to resize a running VM; the core never asks (scale_running_vm is not declared)
    with pytest.raises(InvalidState, match="while the virtual machine is in its current state"):
        HostSession(host, connection_settings({})).run([Step("Set-VMProcessor", {"VMName": spec.instance_name,
                                                                                 "Count": 1})])


def test_a_failing_start_removes_the_vm_and_the_disk_it_created(estate: Estate, driver) -> None:
    host = host_ref(estate, "hv-01")
    spec = vm_spec()
    estate.world.fail_next("hv-01", "Add-VMHardDiskDrive", "Failed to add device 'Virtual Hard Disk'. The "
                           "Virtual Machine Management Service failed to authorize access.", "PermissionDenied")
    with pytest.raises(CirroError) as failed:
        driver.start_vm(host, spec)
    assert "Add-VMHardDiskDrive failed: Failed to add device 'Virtual Hard Disk'" in str(failed.value)
    assert "hv-01" in str(failed.value)
    assert estate.world.cmdlets_run("hv-01")[-3:] == ["Stop-VM", "Remove-VM", "Remove-Item"]
    assert spec.instance_name not in driver.list_vms(host)
    files = estate.world.share_files[SHARE.lower()][SHARE.lower()]
    assert f"{spec.disks[0].uuid}.vhdx" not in files
    assert "template-tmpl-1.vhdx" in files  # the pool's template copy stays for the next deploy


def test_not_enough_memory_is_insufficient_capacity_with_hyper_v_message(estate: Estate, driver) -> None:
    host = host_ref(estate, "hv-01")
    spec = vm_spec(memory_mb=32 * 1024)
    with pytest.raises(InsufficientCapacity, match="Not enough memory in the system"):
        driver.start_vm(host, spec)
    assert spec.instance_name not in driver.list_vms(host)


def test_wrong_credentials_say_the_host_refused_them(estate: Estate, driver) -> None:
    host = dataclasses.replace(host_ref(estate, "hv-01"), password="not-the-password")
    with pytest.raises(HostUnreachable, match=r"refused the credentials of user 'CLOUD\\\\Administrator'"):
        driver.connect_host(host)


def test_an_unreachable_host_is_named_with_its_url(estate: Estate, driver) -> None:
    host = HostRef("u", "hv-gone", estate.closed_url, f"{DOMAIN}\\{USER}", PASSWORD)
    with pytest.raises(HostUnreachable, match=f"Hyper-V host hv-gone does not answer at {estate.closed_url}"):
        driver.connect_host(host)


def test_basic_authentication_over_http_is_refused_naming_url(driver) -> None:
    host = HostRef("u", "hv", "http://10.0.0.5:5985/wsman?transport=basic", "admin", "pw")
    with pytest.raises(InvalidParameter, match="^url: .*password in clear"):
        driver.connect_host(host)


def test_a_wrong_smb_password_surfaces_as_access_denied_and_leaves_nothing(estate: Estate, driver) -> None:
    host = host_ref(estate, "hv-01")
    pool = dataclasses.replace(POOL, details={**POOL.details, "password": "wrong"})
    spec = vm_spec(disks=(DiskSpec(str(uuid.uuid4()), "ROOT", 2 * GIB, pool=pool, template=TEMPLATE),))
    with pytest.raises(CirroError, match="denied"):
        driver.start_vm(host, spec)
    assert spec.instance_name not in driver.list_vms(host)


def test_data_disks_and_isos_are_hot_plugged_and_deleted(estate: Estate, driver) -> None:
    host = host_ref(estate, "hv-01")
    spec = vm_spec()
    driver.start_vm(host, spec)
    data = DiskSpec(str(uuid.uuid4()), "DATADISK", 5 * GIB, device_id=1, pool=POOL)
    driver.attach_disk(host, ref(spec), data)
    driver.attach_disk(host, ref(spec), data)  # idempotent
    vm = estate.hosts["hv-01"].vms[spec.instance_name.lower()]
    assert [(d.controller_type, d.location) for d in vm.drives if d.path and d.path.endswith(f"{data.uuid}.vhdx")] \
        == [(1, 1)]
    estate.world.publish("http://images.test/tools.iso", 300 * 1024**2)
    iso = DiskSpec("iso-1", "ISO", template=TemplateSpec("iso-1", "tools", "http://images.test/tools.iso", "ISO"))
    driver.attach_disk(host, ref(spec), iso)
    assert any(d.path and d.path.endswith("iso-iso-1.iso") for d in vm.drives)
    driver.detach_disk(host, ref(spec), iso)
    driver.detach_disk(host, ref(spec), data)
    assert not any(d.path and d.path.endswith(f"{data.uuid}.vhdx") for d in vm.drives)
    driver.delete_disk(host, data)
    driver.delete_disk(host, data)  # idempotent
    assert f"{data.uuid}.vhdx" not in estate.world.share_files[SHARE.lower()][SHARE.lower()]


def test_a_stop_without_guest_shutdown_falls_back_to_turning_it_off(estate: Estate, driver) -> None:
    host = host_ref(estate, "hv-01")
    spec = vm_spec()
    driver.start_vm(host, spec)
    estate.hosts["hv-01"].vms[spec.instance_name.lower()].guest_shuts_down = False
    assert driver.stop_vm(host, ref(spec)).power_state is PowerState.STOPPED
    stops = [e.params for e in estate.world.log if e.cmdlet == "Stop-VM"]
    assert stops[-2:] == [{"Name": spec.instance_name, "Force": True}, {"Name": spec.instance_name, "TurnOff": True}]


def test_scripts_carry_values_as_json_never_as_powershell_syntax() -> None:
    script = render([Step("New-VM", {"Name": "it's; Remove-Item C:\\ -Recurse"})])
    assert "Invoke-Step 'New-VM' '{\"Name\":\"it''s; Remove-Item C:\\\\ -Recurse\"}' | Out-Null" in script


def test_basic_over_https_with_a_verified_certificate(estate: Estate, driver, tmp_path) -> None:
    cert, key = _self_signed(tmp_path)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    server = WinRMServer(estate.world, estate.hosts["hv-02"], auth="basic", users={"hvadmin": "Basic-Passw0rd"},
                         tls=tls).start()
    try:
        verified = HypervDriver({"hyperv.tls.ca.bundle": str(cert)})
        host = HostRef("u", "hv-02", server.url + "?transport=basic", "hvadmin", "Basic-Passw0rd")
        assert verified.connect_host(host).details["hyperv.computer_name"] == "hv-02"
        with pytest.raises(HostUnreachable, match="refused the credentials"):
            verified.connect_host(dataclasses.replace(host, password="wrong"))
        with pytest.raises(HostUnreachable, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
            HypervDriver().connect_host(host)
    finally:
        server.stop()


def _self_signed(directory) -> tuple[str, str]:
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hv-02")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "hv.pem", directory / "hv.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def test_a_vm_from_an_iso_boots_a_blank_root_disk_with_the_iso_in_its_dvd_drive(estate: Estate, driver) -> None:
    host = host_ref(estate, "hv-01")
    estate.world.publish("http://images.test/install.iso", 700 * 1024**2)
    iso = TemplateSpec("iso-9", "installer", "http://images.test/install.iso", "ISO")
    spec = vm_spec(disks=(DiskSpec(str(uuid.uuid4()), "ROOT", 8 * GIB, pool=POOL),
                          DiskSpec("iso-9", "ISO", device_id=3, template=iso)))
    assert driver.start_vm(host, spec).power_state is PowerState.RUNNING
    created = next(e.params for e in estate.world.log if e.cmdlet == "New-VHD")
    assert created == {"Path": f"{SHARE}\\{spec.disks[0].uuid}.vhdx", "SizeBytes": 8 * GIB, "Dynamic": True}
    dvd = next(e.params for e in estate.world.log if e.cmdlet == "Set-VMDvdDrive")
    assert dvd["Path"].endswith("\\iso-iso-9.iso") and (dvd["ControllerNumber"], dvd["ControllerLocation"]) == (1, 0)


def test_a_template_copy_is_checked_against_the_registered_checksum(estate: Estate, driver) -> None:
    host = host_ref(estate, "hv-01")
    image = b"a VHDX image as published"
    estate.world.publish("http://images.test/checked.vhdx", 2 * GIB, image)
    good = TemplateSpec("tmpl-ok", "checked", "http://images.test/checked.vhdx", "VHDX",
                        checksum=hashlib.md5(image).hexdigest())
    spec = vm_spec(disks=(DiskSpec(str(uuid.uuid4()), "ROOT", 2 * GIB, pool=POOL, template=good),))
    assert driver.start_vm(host, spec).power_state is PowerState.RUNNING
    hashed = next(e.params for e in estate.world.log if e.cmdlet == "Get-FileHash")
    assert hashed == {"Path": f"{SHARE}\\template-tmpl-ok.vhdx", "Algorithm": "MD5"}


def test_a_template_copy_with_another_checksum_is_removed_and_named(estate: Estate, driver) -> None:
    host = host_ref(estate, "hv-01")
    estate.world.publish("http://images.test/tampered.vhdx", 2 * GIB, b"not the registered image")
    registered = hashlib.sha256(b"the registered image").hexdigest()
    bad = TemplateSpec("tmpl-bad", "tampered", "http://images.test/tampered.vhdx", "VHDX", checksum=registered)
    spec = vm_spec(disks=(DiskSpec(str(uuid.uuid4()), "ROOT", 2 * GIB, pool=POOL, template=bad),))
    with pytest.raises(CirroError) as failed:
        driver.start_vm(host, spec)
    text = str(failed.value)
    assert "the copy of tampered fetched from http://images.test/tampered.vhdx has SHA256" in text
    assert f"but {registered} was registered" in text
    assert "template-tmpl-bad.vhdx" not in estate.world.share_files[SHARE.lower()][SHARE.lower()]
    assert spec.instance_name not in driver.list_vms(host)
