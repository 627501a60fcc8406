"""Who may read what: API keys with scopes, stored hashed (issue 14, decision 0061)."""

from shopflow.access.configured import PlaceholderKeyError, check_configured_key
from shopflow.access.keys import (
    ApiKey,
    IssuedKey,
    KeyFormatError,
    create_key,
    key_scopes,
    list_keys,
    parse_key,
    revoke_key,
)
from shopflow.access.scopes import ALL_SCOPES, Scope

__all__ = [
    "ALL_SCOPES", "ApiKey", "IssuedKey", "KeyFormatError", "PlaceholderKeyError", "Scope",
    "check_configured_key", "create_key", "key_scopes", "list_keys", "parse_key", "revoke_key",
]
