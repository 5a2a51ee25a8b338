"""The tables of the management server, one module per area; importing this package registers them all.

Every object the API shows has an integer primary key `id` and a `uuid` that the API calls `id`.
"""

from cirrostack.db.models.accounts import (
    Account,
    AccountState,
    AsyncJob,
    ConfigurationValue,
    Domain,
    DomainState,
    Event,
    JobStatus,
    ManagementServer,
    User,
    UserState,
)
from cirrostack.db.models.infrastructure import Cluster, Host, HostDetail, HostTag, Pod, Zone  # noqa: F401
from cirrostack.db.models.offerings import DiskOffering, ServiceOffering  # noqa: F401
from cirrostack.db.models.templates import GuestOS, GuestOSCategory, Template, TemplatePermission, TemplateZoneRef  # noqa: F401,E501
from cirrostack.db.models.storage import ImageStore, ImageStoreDetail, StoragePool, StoragePoolDetail, StoragePoolTag  # noqa: F401,E501

__all__ = [
    "Account",
    "AccountState",
    "AsyncJob",
    "ConfigurationValue",
    "Domain",
    "DomainState",
    "Event",
    "JobStatus",
    "ManagementServer",
    "User",
    "UserState",
]
