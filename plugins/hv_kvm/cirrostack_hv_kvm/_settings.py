"""The settings the KVM plugin registers (listConfigurations shows them; drivers read them)."""

from __future__ import annotations

from cirrostack.hookspecs import Setting

SETTINGS = (
    Setting("kvm.stop.timeout", 30, int, "Seconds a graceful stop (ACPI shutdown) of a KVM VM may take before the "
            "VM is powered off hard.", minimum=0, maximum=3600),
    Setting("kvm.guest.domain.type", "auto", str, "libvirt domain type of KVM guests: kvm (hardware "
            "virtualisation), qemu (software emulation, TCG) or auto (kvm when the host offers it)."),
    Setting("kvm.template.volume.prefix", "template-", str, "Name prefix of the template and ISO copies the KVM "
            "plugin keeps in each primary storage pool (followed by the template uuid)."),
    Setting("kvm.template.download.dir", "", str, "Directory on the management server where templates are "
            "downloaded before they are streamed into a pool (empty: /tmp/cirrostack-kvm-downloads)."),
    Setting("kvm.template.download.timeout", 600, int, "Seconds without data after which a template download "
            "for a KVM pool is abandoned.", minimum=1, maximum=86400),
    Setting("kvm.migration.trust.directory.pools", True, bool, "Live-migrate KVM VMs whose disks are on directory "
            "pools (file://, SharedMountPoint://) although libvirt cannot see that the directory is shared: the "
            "operator mounts it at the same path on every host of the cluster."),
    Setting("kvm.nfs.mount.root", "/var/lib/cirrostack/mnt", str, "Directory on KVM hosts under which NFS "
            "primary storage pools are mounted (one subdirectory per pool uuid)."),
)
