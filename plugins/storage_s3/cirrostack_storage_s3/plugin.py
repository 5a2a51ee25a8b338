"""Hook implementations of the S3 object store plugin.

It registers no driver yet: it only tells the core what it is and what is still missing, so
`cirro plugins list` shows it as `pending` with that reason.
"""

from cirrostack.hookspecs import PluginInfo, hookimpl

SUMMARY = "S3-compatible object stores as secondary (image) storage"
PENDING = (
    "the S3 object store provider (templates, ISOs and snapshots on S3 buckets) is not implemented yet; "
    "the storage providers issue (not filed yet) brings it"
)


@hookimpl
def describe_plugin() -> PluginInfo:
    """This plugin's summary and what it does not deliver yet."""
    return PluginInfo(summary=SUMMARY, pending=PENDING)
