"""Domains, accounts and users: who exists, who is calling, and who may see what.

    auth        bootstrap of ROOT/admin, password login, API-key and session callers
    domains     the domain tree
    tenants     accounts (with their first user), enable/disable/lock, delete
    users       users and their API keys
"""

from cirrostack.services.accounts.auth import (
    authenticate,
    bootstrap,
    caller_for_api_key,
    caller_for_user,
    caller_of,
    login_response,
    root_admin_caller,
)
from cirrostack.services.accounts.domains import (
    create_domain,
    delete_domain,
    display_path,
    list_domains,
    update_domain,
)
from cirrostack.services.accounts.tenants import (
    create_account,
    delete_account,
    disable_account,
    enable_account,
    list_accounts,
    resolve_account,
    update_account,
)
from cirrostack.services.accounts.users import (
    create_user,
    delete_user,
    list_users,
    register_user_keys,
    update_user,
    user_keys,
)

__all__ = [
    "authenticate", "bootstrap", "caller_for_api_key", "caller_for_user", "caller_of", "create_account",
    "create_domain", "create_user", "delete_account", "delete_domain", "delete_user", "disable_account",
    "display_path", "enable_account", "list_accounts", "list_domains", "list_users", "login_response",
    "register_user_keys", "resolve_account", "root_admin_caller", "update_account", "update_domain", "update_user",
    "user_keys",
]
