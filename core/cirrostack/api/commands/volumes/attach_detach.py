"""attachVolume and detachVolume (async). A running VM gets the change at once when its hypervisor
declares hot_plug_volumes, else at its next start (see services/volumes/attachment.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cirrostack.api.commands.volumes._views import VOLUME_RESPONSE, volume_view
from cirrostack.api.commands.volumes.create_delete import RELATED
from cirrostack.api.declaration import Call, Command, Param
from cirrostack.api.params import Long, Uuid
from cirrostack.db.models.compute import VirtualMachine, Volume
from cirrostack.errors import InvalidParameter
from cirrostack.services import volumes
from cirrostack.services.context import ANY_ROLE

_PACKAGE = "org.apache.cloudstack.api.command.user.volume."

ATTACH_VOLUME = Command(
    "attachVolume", "Attaches a disk volume to a virtual machine.", response=VOLUME_RESPONSE, is_async=True,
    roles=ANY_ROLE, java_class=_PACKAGE + "AttachVolumeCmd", related=RELATED,
    params=(Param("id", Uuid("Volume"), "the ID of the disk volume", required=True),
            Param("virtualmachineid", Uuid("VirtualMachine"), "the ID of the virtual machine", required=True),
            Param("deviceid", Long(minimum=1), "the ID of the device to map the volume to within the guest OS. "
                                               "Device 3 is reserved for the CD-ROM; the default is the lowest "
                                               "free one.")))

DETACH_VOLUME = Command(
    "detachVolume", "Detaches a disk volume from a virtual machine.", response=VOLUME_RESPONSE, is_async=True,
    roles=ANY_ROLE, java_class=_PACKAGE + "DetachVolumeCmd", related=RELATED,
    params=(Param("id", Uuid("Volume"), "the ID of the disk volume"),
            Param("deviceid", Long(minimum=1), "the device ID on the virtual machine where volume is detached from"),
            Param("virtualmachineid", Uuid("VirtualMachine"), "the ID of the virtual machine where the volume is "
                                                              "detached from")))


@ATTACH_VOLUME.handler
def attach_volume(call: Call, id: Volume, virtualmachineid: VirtualMachine, deviceid: int | None = None) -> dict:
    volume = volumes.attach_volume(call.session, call.caller, call.registry, id, virtualmachineid, deviceid,
                                   secrets=call.secrets)
    return volume_view(call.session, call.caller, volume)


@DETACH_VOLUME.handler
def detach_volume(call: Call, id: Volume | None = None, deviceid: int | None = None,
                  virtualmachineid: VirtualMachine | None = None, **_unused: Any) -> dict:
    if id is None:
        if virtualmachineid is None or deviceid is None:
            raise InvalidParameter("id", "give the volume id, or virtualmachineid together with deviceid")
        id = call.session.scalars(select(Volume).where(Volume.vm_id == virtualmachineid.id,
                                                       Volume.device_id == deviceid,
                                                       Volume.removed.is_(None))).first()
        if id is None:
            raise InvalidParameter("deviceid", f"VM {virtualmachineid.name} has no volume at device {deviceid}")
    volume = volumes.detach_volume(call.session, call.caller, id, call.registry, call.secrets)
    return volume_view(call.session, call.caller, volume)
