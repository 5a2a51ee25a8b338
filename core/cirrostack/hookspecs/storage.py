"""Storage providers: primary storage for volumes, image stores (NFS, S3, Swift) for templates and
snapshots, and NFS staging stores that sit between hypervisors and an object store.

A provider declares its roles, the scopes a store of it may have, the protocols it speaks and
the detail fields an operator fills in (addImageStore's `details`). The core checks `details`
with `validate_details` before the provider sees them and encrypts every secret field at rest.

A provider keeps no database state: every call names the store (`StoreRef`, with its details
decrypted) and the object it is about. Long copies run inside the core's async jobs.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO, ClassVar

from cirrostack.errors import UnsupportedOperation
from cirrostack.hookspecs._capability import requires
from cirrostack.hookspecs._markers import hookspec
from cirrostack.hookspecs.details import DetailField
from cirrostack.hookspecs.details import validate_details as _validate_details


class StorageRole(enum.Enum):
    """What a store is used for; listStorageProviders' `type` spells them in lower case."""

    PRIMARY = "Primary"
    IMAGE = "Image"
    IMAGE_CACHE = "ImageCache"  # an NFS staging store in front of an object store


class StorageScope(enum.Enum):
    HOST = "HOST"
    CLUSTER = "CLUSTER"
    ZONE = "ZONE"
    REGION = "REGION"


@dataclass(frozen=True)
class StorageCapabilities:
    """What a provider can do. The core refuses a call outside these before calling it."""

    roles: frozenset[StorageRole] = frozenset()
    """Roles a store of this provider can take."""

    scopes: frozenset[StorageScope] = frozenset({StorageScope.ZONE})
    """Scopes a store may be added with (an object store is REGION-wide)."""

    protocols: frozenset[str] = frozenset()
    """Protocols the store speaks, as listImageStores' `protocol` shows them: "nfs", "s3", ..."""

    object_store: bool = False
    """Stores objects by key (S3, Swift): templates and snapshots are uploaded, not mounted."""


@dataclass(frozen=True)
class StoreRef:
    """A store as the provider needs to reach it; `details` arrive validated and decrypted."""

    uuid: str
    name: str
    url: str
    role: StorageRole
    scope: StorageScope = StorageScope.ZONE
    zone_uuid: str = ""
    details: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class StoreCapacity:
    total_bytes: int
    used_bytes: int

    @property
    def free_bytes(self) -> int:
        return max(self.total_bytes - self.used_bytes, 0)


@dataclass(frozen=True)
class VolumeSpec:
    """A volume to create; `template_path` names a template on the same store to clone from."""

    uuid: str
    name: str
    size_bytes: int
    template_path: str = ""


@dataclass(frozen=True)
class VolumeInfo:
    uuid: str
    path: str
    size_bytes: int


@dataclass(frozen=True)
class TemplateRef:
    uuid: str
    name: str
    format: str  # "QCOW2", "VHD", "RAW", "OVA", "ISO"


@dataclass(frozen=True)
class DataObjectInfo:
    """A template, snapshot or object as stored: where, how big, and its SHA-256 (hex)."""

    path: str
    size_bytes: int
    sha256: str


def _store_role(arguments: dict[str, Any]) -> StorageRole:
    return arguments["store"].role


def _store_scope(arguments: dict[str, Any]) -> StorageScope:
    return arguments["store"].scope


class StorageProvider(ABC):
    """A storage provider. Implement the abstract methods, and the optional ones your
    `capabilities` declare (volumes for the Primary role, objects for `object_store`).

    Methods are listed in the order the core calls them over a store's life.
    """

    provider_name: ClassVar[str]
    """The name addImageStore/createStoragePool take: "NFS", "S3", "Swift", "DefaultPrimary"."""

    capabilities: ClassVar[StorageCapabilities] = StorageCapabilities()

    detail_fields: ClassVar[tuple[DetailField, ...]] = ()
    """What the operator fills in when adding a store (S3: accesskey, secretkey, bucket, ...)."""

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        """`settings` holds the current values of the settings the plugin registered."""
        self.settings: Mapping[str, Any] = dict(settings or {})

    # -- stores ----------------------------------------------------------------------------------

    @abstractmethod
    @requires("scopes", member=_store_scope)
    @requires("roles", member=_store_role)
    def initialise_store(self, store: StoreRef) -> StoreCapacity:
        """Reach the store at `store.url` with its details and make it ready (e.g. check the
        NFS export, create the S3 bucket when missing). Called when the store is added.

        Idempotent: an initialised store is left as is. On failure, removes what this call
        created. Returns the store's capacity. Gated by `roles` and `scopes`.
        Raises InvalidParameter("url", ...) for a URL it cannot use, ResourceUnavailable
        when the store does not answer or refuses the credentials (the message says which).
        """

    @abstractmethod
    @requires("roles", member=_store_role)
    def capacity(self, store: StoreRef) -> StoreCapacity:
        """Total and used bytes now. Changes nothing. Raises ResourceUnavailable."""

    # -- volumes (primary) -------------------------------------------------------------------------

    @requires("roles", member=StorageRole.PRIMARY)
    def create_volume(self, store: StoreRef, volume: VolumeSpec) -> VolumeInfo:
        """Create `volume` on the store, empty or as a clone of `volume.template_path`.

        Idempotent by `volume.uuid`: creating it again returns the same VolumeInfo. On failure,
        removes what this call created. Gated by the Primary role. Raises InsufficientCapacity,
        InvalidParameter("template_path", ...) for a template not on this store,
        ResourceUnavailable.
        """
        raise UnsupportedOperation(f"storage provider {self.provider_name}", "Primary in roles")

    @requires("roles", member=StorageRole.PRIMARY)
    def delete_volume(self, store: StoreRef, path: str) -> None:
        """Remove the volume at `path` and free its space. Idempotent: a volume that is gone
        already succeeds. Gated by the Primary role. Raises ResourceInUse (still attached,
        where the store can tell), ResourceUnavailable.
        """
        raise UnsupportedOperation(f"storage provider {self.provider_name}", "Primary in roles")

    # -- templates ---------------------------------------------------------------------------------

    @abstractmethod
    @requires("roles", member=_store_role)
    def copy_template_in(self, store: StoreRef, template: TemplateRef, source: BinaryIO) -> DataObjectInfo:
        """Store the bytes read from `source` as `template` on the store.

        Copying the same template again replaces it, so a retried copy ends in the same state.
        On failure, leaves no partial template behind. Returns where it is, its size and SHA-256.
        Raises InsufficientCapacity, ResourceUnavailable.
        """

    @abstractmethod
    @requires("roles", member=_store_role)
    def copy_template_out(self, store: StoreRef, path: str, target: BinaryIO) -> int:
        """Write the template at `path` to `target` and return the number of bytes written (for a
        whole copy at once, e.g. store to store; see `open_template` to stream).
        Changes nothing on the store. Raises ResourceUnavailable naming the path when absent.
        """

    @abstractmethod
    @requires("roles", member=_store_role)
    def template_size(self, store: StoreRef, path: str) -> int:
        """The size in bytes of the template at `path`, as `open_template` will deliver it.
        Changes nothing on the store. Raises ResourceUnavailable naming the path when absent.
        """

    @abstractmethod
    @requires("roles", member=_store_role)
    def open_template(self, store: StoreRef, path: str) -> BinaryIO:
        """Open the template at `path` for reading in chunks, without copying it anywhere first
        (extract downloads stream from it while the client receives the first bytes).

        Returns a readable binary stream; `read(n)` gives at most `n` bytes and b"" at the end. The
        caller closes it, which releases whatever the stream holds (file handle, connection); closing
        twice is harmless. A failure while reading raises ResourceUnavailable from `read`. Changes
        nothing on the store. Raises ResourceUnavailable naming the path when absent (nothing stays open).
        """

    @abstractmethod
    @requires("roles", member=_store_role)
    def delete_template(self, store: StoreRef, path: str) -> None:
        """Remove the template at `path`. Idempotent: a template already gone succeeds.
        Raises ResourceUnavailable when the store does not answer.
        """

    # -- objects (object stores) ---------------------------------------------------------------------

    @requires("object_store")
    def put_object(self, store: StoreRef, key: str, data: bytes) -> DataObjectInfo:
        """Store `data` under `key`, replacing what was there. Gated by `object_store`.
        Returns the object's info. Raises InsufficientCapacity, ResourceUnavailable.
        """
        raise UnsupportedOperation(f"storage provider {self.provider_name}", "object_store")

    @requires("object_store")
    def get_object(self, store: StoreRef, key: str) -> bytes:
        """The bytes stored under `key`. Gated by `object_store`. Raises ResourceUnavailable
        naming the key when it holds nothing."""
        raise UnsupportedOperation(f"storage provider {self.provider_name}", "object_store")

    @requires("object_store")
    def delete_object(self, store: StoreRef, key: str) -> None:
        """Remove `key`. Idempotent: a key holding nothing succeeds. Gated by `object_store`."""
        raise UnsupportedOperation(f"storage provider {self.provider_name}", "object_store")

    # -- removal -------------------------------------------------------------------------------------

    @abstractmethod
    def remove_store(self, store: StoreRef) -> None:
        """Forget the store (unmount, close connections) when the operator deletes it.

        Never deletes the data on it. Idempotent. Raises nothing for a store that is gone.
        """


def validate_details(provider_cls: type[StorageProvider], details: Mapping[str, Any]) -> dict[str, Any]:
    """Check the `details` of addImageStore/createSecondaryStagingStore against
    `provider_cls.detail_fields` and return them converted to the declared types.

    Raises InvalidParameter("details", ...) naming the missing, unknown or malformed field.
    The fields marked `secret` (see `cirrostack.hookspecs.details.secret_detail_names`) are the
    ones the core encrypts before storing.
    """
    return _validate_details(provider_cls, details, subject=f"storage provider {provider_cls.provider_name}")


@hookspec
def register_storage_providers(register: Callable[[type[StorageProvider]], None]) -> None:
    """Call `register(cls)` once for each StorageProvider subclass the plugin ships.

    Registering is cheap: no vendor SDK (boto3, ...) may be imported here. Two plugins claiming
    the same `provider_name` is a conflict: the later one is left out and reported.
    """
