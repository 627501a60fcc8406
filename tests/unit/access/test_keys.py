"""Pure functions of the access package: key shape, placeholder refusal, who needs a key."""

from __future__ import annotations

import pytest

from services.dashboard_api.auth import metrics_need_key
from shopflow.access import KeyFormatError, PlaceholderKeyError, check_configured_key, parse_key
from shopflow.runtime.settings import Settings

KEY = "sfk_0123456789ab_" + "A" * 20 + "-_" + "b" * 21


def test_a_key_splits_into_its_public_id_and_its_secret() -> None:
    assert parse_key(KEY) == ("0123456789ab", "A" * 20 + "-_" + "b" * 21)


@pytest.mark.parametrize("text", [
    "", "sfk", KEY + "x", KEY[:-1], KEY.replace("sfk_", "sk_"),
    KEY.replace("0123456789ab", "0123456789AB"), KEY.replace("A", "é", 1), "change-me"])
def test_anything_else_is_not_a_key(text: str) -> None:
    with pytest.raises(KeyFormatError):
        parse_key(text)


@pytest.mark.parametrize("key", [
    "", "   ", "change-me", "CHANGE_ME_please_0123", "changeme", "short-Key-1",
    "aaaaaaaaaaaaaaaaaaaaaaaa", "my-api-key-for-prod-2026", "your-secret-here-1234",
    "placeholder-0123456789", "xxxxxxxx-xxxx-xxxx-xxxx"])
def test_the_api_refuses_an_empty_or_placeholder_key(key: str) -> None:
    with pytest.raises(PlaceholderKeyError, match="SHOPFLOW_API_KEY"):
        check_configured_key(key)


@pytest.mark.parametrize("key", [None, "Jx9v_Qm2LzR8tWc4Yb7NhK1s", "test-key-0123456789"])
def test_no_key_or_a_generated_one_is_accepted(key: str | None) -> None:
    check_configured_key(key)


@pytest.mark.parametrize(("host", "setting", "needed"), [
    ("127.0.0.1", None, False), ("localhost", None, False), ("::1", None, False),
    ("127.0.0.2", None, False), ("0.0.0.0", None, True), ("::", None, True),  # noqa: S104
    ("10.1.2.3", None, True), ("api.example.org", None, True),
    ("0.0.0.0", False, False), ("127.0.0.1", True, True)])  # noqa: S104
def test_aggregates_need_a_key_beyond_localhost_unless_set(
        host: str, setting: bool | None, needed: bool) -> None:
    settings = Settings(api_host=host, api_metrics_require_key=setting)
    assert metrics_need_key(settings) is needed


def test_there_is_no_default_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHOPFLOW_API_KEY", raising=False)
    assert Settings(_env_file=None).api_key is None  # type: ignore[call-arg]
