"""The core's configuration keys, with CloudStack 4.3's names, defaults, categories and scopes.

Tools written against CloudStack read and set these names; plugins add their own keys
(`register_settings`). docs/settings.md lists them all (written by `python -m cirrostack.services.settings.docs`).
"""

from __future__ import annotations

from cirrostack.hookspecs.settings import Setting, SettingScope

_ZONE, _CLUSTER, _POOL, _ACCOUNT = SettingScope.ZONE, SettingScope.CLUSTER, SettingScope.STORAGE, SettingScope.ACCOUNT


def _s(key: str, default: object, kind: type, description: str, category: str = "Advanced", **extra: object
       ) -> Setting:
    return Setting(key, default, kind, description, category=category, **extra)  # type: ignore[arg-type]


_ALERT = (
    _s("alert.email.addresses", None, str, "Comma separated list of email addresses used for sending alerts.",
       "Alert"),
    _s("alert.email.sender", None, str, "Sender of alert email (will be in the From header of the email).",
       "Alert"),
    _s("alert.smtp.host", None, str, "SMTP hostname used for sending out email alerts.", "Alert"),
    _s("alert.smtp.port", 465, int, "Port the SMTP server is listening on.", "Alert", minimum=1, maximum=65535),
    _s("alert.smtp.useAuth", False, bool, "If true, use SMTP authentication when sending emails.", "Alert"),
    _s("alert.smtp.username", None, str, "Username for SMTP authentication (applies only if alert.smtp.useAuth "
       "is true).", "Alert"),
    _s("alert.smtp.password", None, str, "Password for SMTP authentication (applies only if alert.smtp.useAuth "
       "is true).", "Alert", secret=True),
    _s("alert.smtp.useStartTLS", False, bool, "If true, upgrade the SMTP connection with STARTTLS before "
       "authenticating.", "Alert"),
    _s("alert.wait", None, int, "Seconds to wait before alerting on a disconnected agent", "Alert", minimum=0),
    _s("alert.purge.delay", 0, int, "Alerts older than specified number days will be purged. Set this value to 0 "
       "to never delete alerts", "Advanced", minimum=0),
    _s("alert.purge.interval", 86400, int, "The interval (in seconds) to wait before running the alert purge "
       "thread", minimum=1),
    _s("capacity.check.period", 300000, int, "The interval in milliseconds between capacity checks", "Alert",
       minimum=1000),
    _s("cluster.cpu.allocated.capacity.notificationthreshold", 0.75, float, "Percentage (as a value between 0 "
       "and 1) of cpu utilization above which alerts will be sent about low cpu available.", "Alert",
       scope=_CLUSTER, minimum=0, maximum=1),
    _s("cluster.memory.allocated.capacity.notificationthreshold", 0.75, float, "Percentage (as a value between 0 "
       "and 1) of memory utilization above which alerts will be sent about low memory available.", "Alert",
       scope=_CLUSTER, minimum=0, maximum=1),
    _s("cluster.storage.capacity.notificationthreshold", 0.75, float, "Percentage (as a value between 0 and 1) "
       "of storage utilization above which alerts will be sent about low storage available.", "Alert",
       scope=_CLUSTER, minimum=0, maximum=1),
    _s("cluster.storage.allocated.capacity.notificationthreshold", 0.75, float, "Percentage (as a value between "
       "0 and 1) of allocated storage utilization above which alerts will be sent about low storage available.",
       "Alert", scope=_CLUSTER, minimum=0, maximum=1),
    _s("cluster.cpu.allocated.capacity.disablethreshold", 0.85, float, "Percentage (as a value between 0 and 1) "
       "of cpu utilization above which allocators will disable using the cluster for low cpu available.",
       "Alert", scope=_CLUSTER, minimum=0, maximum=1),
    _s("cluster.memory.allocated.capacity.disablethreshold", 0.85, float, "Percentage (as a value between 0 and "
       "1) of memory utilization above which allocators will disable using the cluster for low memory "
       "available.", "Alert", scope=_CLUSTER, minimum=0, maximum=1),
    _s("pool.storage.capacity.disablethreshold", 0.85, float, "Percentage (as a value between 0 and 1) of storage "
       "utilization above which allocators will disable using the pool for low storage available.", "Alert",
       scope=_ZONE, minimum=0, maximum=1),
    _s("pool.storage.allocated.capacity.disablethreshold", 0.85, float, "Percentage (as a value between 0 and 1) "
       "of allocated storage utilization above which allocators will disable using the pool for low allocated "
       "storage available.", "Alert", scope=_ZONE, minimum=0, maximum=1),
    _s("zone.secstorage.capacity.notificationthreshold", 0.75, float, "Percentage (as a value between 0 and 1) "
       "of secondary storage utilization above which alerts will be sent about low storage available.", "Alert",
       minimum=0, maximum=1),
    _s("zone.vlan.capacity.notificationthreshold", 0.75, float, "Percentage (as a value between 0 and 1) of Zone "
       "Vlan utilization above which alerts will be sent about low number of Zone Vlans.", "Alert",
       minimum=0, maximum=1),
    _s("zone.virtualnetwork.publicip.capacity.notificationthreshold", 0.75, float, "Percentage (as a value "
       "between 0 and 1) of public IP address space utilization above which alerts will be sent.", "Alert",
       minimum=0, maximum=1),
    _s("pod.privateip.capacity.notificationthreshold", 0.75, float, "Percentage (as a value between 0 and 1) of "
       "private IP address space utilization above which alerts will be sent.", "Alert", minimum=0, maximum=1),
)

_OVERPROVISIONING = (
    _s("cpu.overprovisioning.factor", 1.0, float, "Used for CPU overprovisioning calculation; available CPU will "
       "be (actualCpuCapacity * cpu.overprovisioning.factor)", "Advanced", scope=_CLUSTER, minimum=1),
    _s("mem.overprovisioning.factor", 1.0, float, "Used for memory overprovisioning calculation", "Advanced",
       scope=_CLUSTER, minimum=1),
    _s("storage.overprovisioning.factor", 2.0, float, "Used for storage overprovisioning calculation; available "
       "storage will be (actualStorageSize * storage.overprovisioning.factor)", "Storage", scope=_POOL,
       minimum=1),
)

_ADVANCED = (
    _s("expunge.delay", 86400, int, "Determines how long (in seconds) to wait before actually expunging destroyed "
       "vm. The default value = the default value of expunge.interval", minimum=0),
    _s("expunge.interval", 86400, int, "The interval (in seconds) to wait before running the expunge thread.",
       minimum=1),
    _s("expunge.workers", 1, int, "Number of workers performing expunge ", minimum=1),
    _s("default.page.size", 500, int, "Default page size for API list* commands", minimum=1),
    _s("enable.dynamic.scale.vm", False, bool, "Enables/Diables dynamically scaling a vm", scope=_ZONE),
    _s("instance.name", "VM", str, "Name of the deployment instance."),
    _s("vm.serviceoffering.cpu.cores.min", 1, int, "The minimum number of CPU cores a VM may be given with a "
       "custom compute offering", scope=_ZONE, minimum=1),
    _s("vm.serviceoffering.cpu.cores.max", 0, int, "The maximum number of CPU cores a VM may be given with a "
       "custom compute offering (0: no limit)", scope=_ZONE, minimum=0),
    _s("vm.serviceoffering.cpu.speed.min", 1, int, "The minimum CPU speed in MHz a VM may be given with a custom "
       "compute offering", scope=_ZONE, minimum=1),
    _s("vm.serviceoffering.cpu.speed.max", 0, int, "The maximum CPU speed in MHz a VM may be given with a custom "
       "compute offering (0: no limit)", scope=_ZONE, minimum=0),
    _s("vm.serviceoffering.ram.size.min", 32, int, "The minimum memory in MB a VM may be given with a custom "
       "compute offering", scope=_ZONE, minimum=32),
    _s("vm.serviceoffering.ram.size.max", 0, int, "The maximum memory in MB a VM may be given with a custom "
       "compute offering (0: no limit)", scope=_ZONE, minimum=0),
    _s("network.gc.interval", 600, int, "Seconds to wait before checking for networks to shutdown", minimum=1),
    _s("network.gc.wait", 600, int, "Time (in seconds) to wait before shutting down a network that's not in used",
       minimum=1),
    _s("ping.interval", 60, int, "Ping interval in seconds", minimum=1),
    _s("host.maintenance.stop.unmovable.vms", False, bool, "When a host is prepared for maintenance, stop the "
       "running VMs that cannot be live-migrated off it instead of leaving the host in ErrorInMaintenance"),
    _s("vm.state.sync.interval", 60, int, "Interval (in seconds) between comparisons of the VM states the hosts "
       "report with the database; VMs powered off or on outside cirrostack are corrected", minimum=1),
    _s("ping.timeout", 2.5, float, "Multiplier to ping.interval before announcing an agent has timed out",
       minimum=1),
    _s("wait", 1800, int, "Time in seconds to wait for control commands to return", minimum=1),
    _s("migratewait", 3600, int, "Time (in seconds) to wait for VM migrate finish", minimum=1),
    _s("start.retry", 10, int, "Number of times to retry create and start commands", minimum=0),
    _s("job.expire.minutes", 1440, int, "Time (in minutes) for async-jobs to be kept in system", minimum=1),
    _s("job.cancel.threshold.minutes", 60, int, "Time (in minutes) for async-jobs to be forcely cancelled if it "
       "has been in process for long", minimum=1),
    _s("event.purge.delay", 15, int, "Events older than specified number days will be purged. Set this value to 0 "
       "to never delete events", minimum=0),
    _s("event.purge.interval", 86400, int, "The interval (in seconds) to wait before running the event purge "
       "thread", minimum=1),
    _s("account.cleanup.interval", 86400, int, "The interval (in seconds) between cleanup for removed accounts",
       minimum=1),
    _s("vm.allocation.algorithm", "random", str, "'random', 'firstfit', 'userdispersing', 'userconcentratedpod_"
       "random', 'userconcentratedpod_firstfit' : Order in which hosts within a cluster will be considered for VM/"
       "volume allocation."),
    _s("host.capacityType.to.order.clusters", "CPU", str, "The host capacity type (CPU or RAM) is used by "
       "deployment planner to order clusters during VM resource allocation"),
    _s("vm.destroy.forcestop", False, bool, "On destroy, force-stop takes this value "),
    _s("allow.user.view.destroyed.vm", False, bool, "Determines whether users can view their destroyed or "
       "expunging vm ", scope=_ACCOUNT),
    _s("guest.domain.suffix", "cloud.internal", str, "Default domain name for vms inside virtualized networks "
       "fronted by router"),
    _s("network.throttling.rate", 200, int, "Default data transfer rate in megabits per second allowed in "
       "network.", "Network", minimum=0),
    _s("vm.network.throttling.rate", 200, int, "Default data transfer rate in megabits per second allowed in User "
       "vm's default network.", "Network", minimum=0),
    _s("system.vm.use.local.storage", False, bool, "Indicates whether to use local storage pools or shared storage "
       "pools for system VMs.", scope=_ZONE),
    _s("use.system.public.ips", True, bool, "If true, when account has dedicated public ip range(s), once the ips "
       "dedicated to the account have been consumed ips will be acquired from the system pool", scope=_ACCOUNT),
    _s("remote.access.vpn.client.iprange", "10.1.2.1-10.1.2.8", str, "The range of ips to be allocated to remote "
       "access vpn clients. The first ip in the range is used by the VPN server", "Network", scope=_ACCOUNT),
    _s("json.content.type", "text/javascript", str, "Http response content type for .js files (default is "
       "text/javascript)"),
    _s("integration.api.port", None, int, "Default API port. To disable set it to 0 or negative.",
       minimum=0, maximum=65535),
    _s("api.throttling.enabled", False, bool, "Enable/disable Api rate limit"),
    _s("api.throttling.interval", 1, int, "Time interval (in seconds) to reset API count", minimum=1),
    _s("api.throttling.max", 25, int, "Max allowed number of APIs within fixed interval", minimum=1),
    _s("api.throttling.cachesize", 50000, int, "Account based API count cache size", minimum=1),
    _s("kvm.snapshot.enabled", False, bool, "whether snapshot is enabled for KVM hosts", "Snapshots"),
    _s("custom.diskoffering.size.max", 1024, int, "Maximum size in GB for custom disk offering.", minimum=1),
    _s("custom.diskoffering.size.min", 1, int, "Minimum size in GB for custom disk offering.", minimum=1),
    _s("storage.max.volume.size", 2000, int, "The maximum size for a volume (in GB).", "Storage", minimum=1),
    _s("network.loadbalancer.basiczone.elb.enabled", False, bool, "Whether the load balancing service is enabled "
       "for basic zones", "Network"),
    _s("allow.public.user.templates", True, bool, "If false, users will not be able to create public templates.",
       scope=_ACCOUNT),
    _s("allow.subdomain.network.access", True, bool, "Allow subdomains to use networks dedicated to their parent "
       "domain(s)"),
    _s("enable.ec2.api", False, bool, "enable EC2 API on CloudStack"),
    _s("enable.s3.api", False, bool, "enable Amazon S3 API on CloudStack"),
    _s("snapshot.max.hourly", 8, int, "Maximum hourly snapshots for a volume", "Snapshots", minimum=0),
    _s("snapshot.max.daily", 8, int, "Maximum daily snapshots for a volume", "Snapshots", minimum=0),
    _s("snapshot.max.weekly", 8, int, "Maximum weekly snapshots for a volume", "Snapshots", minimum=0),
    _s("snapshot.max.monthly", 8, int, "Maximum monthly snapshots for a volume", "Snapshots", minimum=0),
    _s("snapshot.poll.interval", 300, int, "The time interval in seconds when the management server polls for "
       "snapshots to be scheduled.", "Snapshots", minimum=1),
    _s("vmsnapshot.max", 10, int, "Maximum vm snapshots for a vm", "Snapshots", minimum=0),
    _s("storage.cleanup.enabled", True, bool, "Enables/disables the storage cleanup thread.", "Storage"),
    _s("storage.cleanup.interval", 86400, int, "The interval (in seconds) to wait before running the storage "
       "cleanup thread.", "Storage", minimum=1),
    _s("secstorage.allowed.internal.sites", None, str, "Comma separated list of cidrs internal to the datacenter "
       "that can host template download servers, please note 0.0.0.0 is not a valid site"),
    _s("max.template.iso.size", 50, int, "The maximum size for a downloaded template or ISO (in GB).", "Storage",
       minimum=1),
    _s("template.download.timeout", 60, int, "Seconds a template or ISO download may wait for the server to connect "
       "or to send more bytes before the attempt fails.", "Storage", minimum=1),
    _s("extract.url.expiration.interval", 14400, int, "The life of an extract URL (extractTemplate, extractIso) "
       "in seconds; afterwards it no longer downloads.", "Storage", minimum=1),
    _s("template.download.retries", 3, int, "How many times a template or ISO download retries after a connection "
       "error, a request that got no reply or an HTTP 5xx reply, with growing pauses, before it ends in Download "
       "Error (a transfer that breaks off after the reply began is not resumed).",
       "Storage", minimum=0, maximum=10),
)

_ROUTER = (
    *(_s(f"router.template.{short}", None, str, f"Name of the default router template on {name}.", scope=_ZONE)
      for short, name in (("xen", "Xenserver"), ("kvm", "KVM"), ("vmware", "Vmware"), ("hyperv", "Hyperv"),
                          ("lxc", "LXC"))),
    _s("network.router.EnableServiceMonitoring", True, bool, "service monitoring in router enable/disable option, "
       "default true", "Network"),
    _s("router.ram.size", 256, int, "Default RAM for router VM (in MB).", "Network", minimum=64),
    _s("router.cpu.mhz", 500, int, "Default CPU speed (MHz) for router VM.", "Network", minimum=100),
    _s("router.check.interval", 30, int, "Interval (in seconds) to report redundant router status.", "Network",
       minimum=1),
    _s("router.stats.interval", 300, int, "Interval (in seconds) to report router statistics.", "Network",
       minimum=1),
)

_LIMITS = tuple(
    _s(f"max.{owner}.{resource}", default, int, f"The default maximum number of {what} that can be "
       f"{'created' if owner == 'account' else 'created for a project'}", f"{owner.capitalize()} Defaults",
       minimum=-1)
    for owner in ("account", "project")
    for resource, default, what in (
        ("public.ips", 20, "public IPs"), ("snapshots", 20, "snapshots"), ("templates", 20, "templates"),
        ("user.vms", 20, "user VMs"), ("volumes", 20, "volumes"), ("networks", 20, "networks"),
        ("vpcs", 20, "vpcs"), ("cpus", 40, "CPU cores"), ("memory", 40960, "MB of memory"),
        ("primary.storage", 200, "GB of primary storage"), ("secondary.storage", 400, "GB of secondary storage"))
)

# CloudStack 4.3 leaves domains unlimited unless updateResourceLimit sets a limit; these keys make that default
# adjustable (services.limits reads max.domain.* for a domain without its own limit).
_DOMAIN_LIMITS = tuple(
    _s(f"max.domain.{resource}", -1, int, f"The default maximum number of {what} that the accounts of a domain "
       "(other than ROOT) can hold together; -1 is unlimited", "Domain Defaults", minimum=-1)
    for resource, what in (
        ("public.ips", "public IPs"), ("snapshots", "snapshots"), ("templates", "templates"),
        ("user.vms", "user VMs"), ("volumes", "volumes"), ("networks", "networks"), ("vpcs", "vpcs"),
        ("cpus", "CPU cores"), ("memory", "MB of memory"), ("primary.storage", "GB of primary storage"),
        ("secondary.storage", "GB of secondary storage"))
)

_PROJECTS = (
    _s("project.invite.required", False, bool, "If invitation confirmation is required when add account to "
       "project. Default value is false", "Project Defaults"),
    _s("allow.user.create.projects", True, bool, "If regular user can create a project; true by default",
       "Project Defaults"),
    _s("project.invite.timeout", 86400, int, "Invitation expiration time (in seconds). Default is 1 day - 86400 "
       "seconds", "Project Defaults", minimum=1),
)

#: Every key the core declares.
CORE_SETTINGS: tuple[Setting, ...] = (*_ALERT, *_OVERPROVISIONING, *_ADVANCED, *_ROUTER, *_LIMITS, *_DOMAIN_LIMITS,
                                      *_PROJECTS)

#: Keys the server reads only when it starts; listConfigurations shows them with isdynamic false.
STATIC_KEYS = frozenset({"integration.api.port", "json.content.type", "expunge.workers", "enable.ec2.api",
                         "enable.s3.api", "api.throttling.cachesize"})
