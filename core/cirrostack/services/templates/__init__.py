"""Templates and ISOs: registration from a URL, per-zone state, filters by who may use them.

    registration   registerTemplate/registerIso, updateTemplate, deleteTemplate/deleteIso,
                   copyTemplate, and the simulator zone's BUILTIN template
    download       the per-zone download job that makes a registered image ready (or says why not)
    image_checks   checksums ("{SHA-256}hex", MD5) and image headers (qcow2, VHD, VHDX, ISO sizes)
    _fetch         streaming a URL with urllib3's retries and timeouts
    listing        listTemplates/listIsos with CloudStack's templatefilter/isofilter semantics
    catalogue      the guest OS types and categories (listOsTypes, listOsCategories)
    _formats       which image formats suit which hypervisor
    _access        who may see (scope rules of "Template", "Iso") and who may change a template
"""

from cirrostack.services.templates.catalogue import list_os_categories, list_os_types
from cirrostack.services.templates.listing import TemplateFilter, TemplateRow, list_templates, parse_filter
from cirrostack.services.templates.registration import (
    NOT_COPIED,
    NOT_DOWNLOADED,
    SIMULATOR_TEMPLATE_NAME,
    copy_template,
    create_builtin_template,
    delete_template,
    guest_os_by_uuid,
    register_iso,
    register_template,
    update_template,
)

__all__ = [
    "NOT_COPIED", "NOT_DOWNLOADED", "SIMULATOR_TEMPLATE_NAME", "TemplateFilter", "TemplateRow", "copy_template",
    "create_builtin_template", "delete_template", "guest_os_by_uuid", "list_os_categories", "list_os_types",
    "list_templates", "parse_filter", "register_iso", "register_template", "update_template",
]
