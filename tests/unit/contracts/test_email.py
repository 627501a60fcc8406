"""The one shortcut kept (decision 0051): plain addresses skip email-validator only when
email-validator would accept them too."""

from __future__ import annotations

from email_validator import validate_email
from hypothesis import given
from hypothesis import strategies as st

from contracts.text_checks import _PLAIN_EMAIL, _plainly_valid_email, check_email
from tests.unit.contracts.strategies import MODEST


@MODEST
@given(address=st.from_regex(_PLAIN_EMAIL, fullmatch=True) | st.sampled_from([
    "a@example.com", "x@localhost.local", "user@example.test", "a@b.invalid",
    "a" * 64 + "@example.com", "a@" + "b" * 64 + ".com", "a@example.arpa",
]))
def test_plain_addresses_are_those_email_validator_accepts(address: str) -> None:
    if _plainly_valid_email(address):
        validate_email(address, check_deliverability=False, test_environment=True)
        assert check_email(address) == address
