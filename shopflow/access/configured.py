"""A configured key (SHOPFLOW_API_KEY) must be a real secret, never a placeholder."""

from __future__ import annotations

import re

MIN_LENGTH = 16
# Words seen in sample configs; a key containing one was copied, not generated.
_PLACEHOLDER = re.compile(
    r"change[-_ ]?me|changeit|placeholder|example|secret|password|your[-_ ]?key|"
    r"api[-_ ]?key|xxx|todo|replace", re.IGNORECASE)


class PlaceholderKeyError(ValueError):
    """The configured key is empty, too short or a placeholder: the API will not start."""


def check_configured_key(key: str | None) -> None:
    """Refuse an empty, short or placeholder key; None means no configured key."""
    if key is None:
        return
    if not key.strip():
        raise PlaceholderKeyError("SHOPFLOW_API_KEY is set but empty: unset it or set a key"
                                  " (python -c 'import secrets; print(secrets.token_urlsafe(32))')")
    if len(key) < MIN_LENGTH or len(set(key)) < 6 or _PLACEHOLDER.search(key):
        raise PlaceholderKeyError(
            f"SHOPFLOW_API_KEY looks like a placeholder (shorter than {MIN_LENGTH} characters,"
            " too few distinct characters, or a sample word such as 'change-me'): generate"
            " one with python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            " or use `shopflow keys create`")
