"""Record keys: the one-field shortcut agrees with the general rule."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import ENTITIES
from shopflow.ingest.keys import key_fields, key_function, record_key
from tests.unit.contracts.strategies import MODEST

_VALUES = st.none() | st.text(max_size=6) | st.integers() | st.floats(allow_nan=False)


@pytest.mark.parametrize("entity", ENTITIES)
@MODEST
@given(mapping=st.none() | st.dictionaries(st.sampled_from(
    ["order_id", "customer_id", "product_id", "event_id", "warehouse_id", "snapshot_date",
     "campaign_id", "review_id", "line_number", "x"]), _VALUES))
def test_key_function_is_record_key(entity: str, mapping: dict[str, Any] | None) -> None:
    fields = key_fields(entity)
    assert key_function(fields)(mapping) == record_key(mapping, fields)


def test_keys_of_typical_records() -> None:
    assert key_function(("order_id",))({"order_id": "o-1"}) == b"o-1"
    assert key_function(("order_id",))({"order_id": ""}) is None
    assert key_function(("order_id",))({"order_id": 7}) == b"7"
    assert key_function(("a", "b"))({"a": "x", "b": None}) == b"x|"
    assert key_function(("order_id",))({"order_id": "\udcff"}) == b"\\udcff"
