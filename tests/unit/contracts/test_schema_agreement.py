"""The exported JSON Schemas and the validator give the same verdict on every record.

One corpus goes to both: the records of a generated run (valid ones and every defect kind
the generator makes), and odd records made from a valid record of each entity by putting
blanks, whitespace, nulls, values of the wrong type, unicode, huge numbers, nested
objects, extra keys into each field or leaving it out. The JSON text goes to
`validate_json`; its parsed value goes to `jsonschema` (Draft 2020-12, with a format
checker) over contracts/schemas/<entity>/v1.json, extended by contracts.schema_rules with
the keywords JSON Schema lacks (decision 0051). A hypothesis test adds the defect values
of tests/unit/contracts/defects.py.

Numbers are values, not floats (decision 0055): both sides read the JSON text with exact
numbers (`load_exact`), and the corpus writes some numbers with exactly the characters
given (`Raw`), e.g. 19.9000000000000001, which a float would turn into 19.9.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import ENTITIES, fields, header_problem, validate_json, validate_record
from contracts.export import schema_path
from contracts.schema_rules import load_exact, schema_validator
from tests.unit.contracts import defects
from tests.unit.contracts.strategies import FOCUSED, json_records

BASE: dict[str, dict[str, Any]] = {
    "customers": {"customer_id": "c1", "email": "anna@example.com", "first_name": "Anna",
                  "last_name": "Müller", "country": "DE", "region": "BY", "city": "München",
                  "segment": "gold", "signup_date": "2025-12-01",
                  "updated_at": "2026-03-01T10:15:00Z"},
    "products": {"product_id": "p1", "sku": "SKU-1", "name": "Mug", "category": "home",
                 "subcategory": "kitchen", "brand": "Acme", "unit_cost": "4.10",
                 "list_price": 9.9, "rating": "4.5", "updated_at": "2026-03-01 10:15"},
    "orders": {"order_id": "o1", "customer_id": "c1", "order_ts": "2026-03-01T11:15:00+01:00",
               "status": "paid", "channel": "web", "campaign_id": "k1", "currency": "EUR",
               "shipping_amount": "4.99", "payment_method": "card",
               "updated_at": "2026-03-01T12:00:00"},
    "order_items": {"order_id": "o1", "line_number": 1, "product_id": "p1", "quantity": "3",
                    "unit_price": "19.90", "discount_amount": "5"},
    "clickstream": {"event_id": "e1", "event_ts": "2026-03-01T10:15:00.250Z",
                    "customer_id": "c1", "anonymous_id": "a1", "event_type": "purchase",
                    "product_id": "p1", "order_id": "o1", "page_url": "/checkout",
                    "referrer": "https://example.com/", "utm_source": "news",
                    "utm_medium": "email", "utm_campaign": "spring", "device": "mobile"},
    "inventory": {"snapshot_date": "2026-03-01", "product_id": "p1", "warehouse_id": "w1",
                  "on_hand": 12, "reorder_point": "5"},
    "campaigns": {"campaign_id": "k1", "name": "Spring", "channel": "email",
                  "start_date": "2026-03-01", "end_date": "2026-03-31", "budget": "5000.00",
                  "discount_pct": "12.5"},
    "reviews": {"review_id": "r1", "order_id": "o1", "product_id": "p1", "customer_id": "c1",
                "rating": 5, "review_ts": "2026-03-02T09:00:00Z", "title": "Great",
                "body": "She said \"great\"\nand left 🎉"},
}


@dataclass(frozen=True)
class Raw:
    """A JSON number written with exactly these characters (json.dumps of a float would
    write its shortest repr: 19.9 for 19.9000000000000001)."""

    text: str


def dumps(record: Any) -> str:
    """json.dumps(record, ensure_ascii=False), with every Raw written as its text."""
    raws: dict[str, str] = {}

    def placeholder(value: Any) -> str:
        if not isinstance(value, Raw):
            raise TypeError(f"not JSON: {value!r}")
        key = f"\x00raw{len(raws)}\x00"
        raws[key] = value.text
        return key

    text = json.dumps(record, ensure_ascii=False, default=placeholder)
    for key, raw in raws.items():
        text = text.replace(json.dumps(key), raw)
    return text


# Values that must never be changed silently (decision 0055): numbers as written, non-ASCII
# digits, timestamps finer than microseconds, whole numbers for integer fields.
EXACT_VALUES: list[Any] = [
    # 123 in Arabic-Indic digits (U+0661..) and 12 in fullwidth digits (U+FF11..)
    Raw("1234567.123456789012"), Raw("19.9000000000000001"), "\u0661\u0662\u0663", "\uff11\uff12",
    "2026-03-01T10:15:00.1234567Z", "2026-03-01T10:15:00.12345678Z",
    "2026-03-01T10:15:00.123456789Z", "2026-03-01T10:15:00.123456Z",
    "2026-03-01T10:15:00,1234567+01:00", "2026-03-01 10:15:00.1234567890123",
    "2026-03-01T10:15:00.1234560Z", Raw("2.0"), Raw("1e2"), Raw("1E0"), Raw("2.00000000000000001"),
    Raw("2.5"), Raw("4.9999999999999999"), Raw("5.0000000000000001"), Raw("5.000000000000"),
    Raw("123456789012345678.5"), Raw("999999999999999999.999999999999"), Raw("1e18"),
    Raw("1e400"), Raw("-1e400"), Raw("0e30"), Raw("0e-30"), Raw("-0.0"), Raw("1.5e-3"),
    Raw("1e-12"), Raw("1e-13"), Raw("0.1234567890123"), Raw("100.000000000000"),
    Raw("2147483647.0"), Raw("2147483648.0"), Raw("21474836.47e2"), Raw("1E+9"),
    Raw("NaN"), Raw("Infinity"), Raw("-Infinity"),
    # non-ASCII digits in a decimal, a date, a timestamp and fullwidth 12.50
    "\u0661\u0662\u0663.\u0665", "\u0662\u0660\u0662\u0666-\u0660\u0663-\u0660\u0661",
    "2026-03-0\u0661", "2026-03-01T10:15:0\u0660Z", "\uff11\uff12.\uff15\uff10",
]

ODD_VALUES: list[Any] = [
    None, "", " ", "\t\n", "\u3000", "\x1c", "\x00", "a\x00b", True, False, 0, -1, 1, 2.5, 3.0,
    -0.0, 0.1, 1e20, 10**30, -(10**30), 0.30000000000000004, 1e-5, "1e3", "NaN", "Infinity",
    "-0", "+1", ".5", "5.", "-.0", "007", "\u0663", "3.0", " 3", "3 ", "x" * 257, "x" * 256,
    "9" * 41, "9" * 19, "9" * 18, "999999999999999999.999999999999", "0.0000000000001",
    "1.000000000000", "-0.000000000000", "2026-02-30", "2026-03-01", "2026-3-1",
    "2026-03-01T10:15:00", "2026-03-01 10:15", "2026-03-01t10:15z", "2026-03-01T10:15:00+01",
    "2026-03-01T10:15:00,5+0530", "2026-03-01T23:59:60Z", "0001-01-01T00:30:00+01:00",
    "9999-12-31T23:30:00-01:00", "2026-03-01T10:15:00Z\n", "19.90\n", "12\n", "2026-03-01\n",
    {}, {"a": 1}, [], [1], ["a"], "US", "us", "USA", "EUR", "eur", "gold", "GOLD", "purchase",
    "page_view", "product_view", "desktop", "tv", "email", "web", "card",
    "a@example.com", "anna.mueller(at)example.com", "nope", "a@b", "émile@exämple.de",
    "a..b@example.com", "x@localhost", "user@example.test", "emoji 🎉", "  padded  ",
    "'; DROP TABLE x; --", "line\nbreak", 2147483647, 2147483648, "2147483647", "2147483648",
    "-2147483648", 5, 6, "5", "6", "5.0", "5.01", "100", "100.0", "100.01", "4.999", 100,
    100.5, "-4.99", 1000, "1000000", 99999.99, *EXACT_VALUES,
]
EXTRA_KEYS: list[tuple[str, Any]] = [
    ("colour", "red"), ("colour", None), ("", 1), ("nested", {"x": {"y": 1}}),
    ("Order_ID", "o1"), ("ünïcödé", "")
]
NOT_OBJECTS = ["[1, 2]", '"text"', "null", "42", "true", "{", '{"order_id": ', "", "[]"]


@cache
def _validator(entity: str) -> Any:
    return schema_validator(json.loads(schema_path(entity, 1).read_text(encoding="utf-8")))


def _schema_verdict(entity: str, text: str) -> bool:
    try:
        value = load_exact(text)
    except ValueError:
        return False
    return bool(_validator(entity).is_valid(value))


def _assert_agree(entity: str, text: str) -> None:
    outcome = validate_json(entity, text)
    assert outcome.ok == _schema_verdict(entity, text), (entity, text, outcome.errors)
    try:
        record = load_exact(text)  # the mapping a careful JSON reader makes: numbers exact
    except ValueError:
        return
    as_mapping = validate_record(entity, record)
    assert as_mapping.ok == outcome.ok, (entity, text, as_mapping.errors, outcome.errors)
    assert _codes(as_mapping) == _codes(outcome), (entity, text)


def _codes(outcome: Any) -> list[tuple[str, str | None]]:
    return [(error.code, error.field) for error in outcome.errors]


def _odd_records(entity: str) -> list[str]:
    base = BASE[entity]
    records = [base, {k: v for k, v in base.items() if k in _required(entity)}]
    for name in fields(entity):
        records.append({k: v for k, v in base.items() if k != name})
        records.extend({**base, name: value} for value in ODD_VALUES)
    records.extend({**base, key: value} for key, value in EXTRA_KEYS)
    return [dumps(record) for record in records]


def _required(entity: str) -> set[str]:
    from contracts import required_fields

    return set(required_fields(entity))


@pytest.mark.parametrize("entity", ENTITIES)
def test_base_records_are_valid(entity: str) -> None:
    assert validate_json(entity, json.dumps(BASE[entity])).ok
    assert _schema_verdict(entity, json.dumps(BASE[entity]))


@pytest.mark.parametrize("entity", ENTITIES)
def test_odd_records_get_the_same_verdict(entity: str) -> None:
    for text in _odd_records(entity):
        _assert_agree(entity, text)
    for text in NOT_OBJECTS:
        _assert_agree(entity, text)


@cache
def _generated_records(tmp: Path) -> dict[str, list[str]]:
    from shopflow.generate import GenerationConfig, generate

    out = tmp / "run"
    generate(GenerationConfig(days=2, orders_per_day=40, defect_rate=0.2, out=out))
    found: dict[str, list[str]] = {}
    for path in sorted(out.glob("*/*.*")):
        entity = path.stem
        if entity not in ENTITIES:
            continue
        text = path.read_bytes().decode("utf-8", "surrogateescape")
        if path.suffix == ".jsonl":
            found.setdefault(entity, []).extend(
                line for line in text.splitlines() if line.strip() and _utf8(line))
        elif path.suffix == ".csv":
            reader = csv.DictReader(io.StringIO(text, newline=""))
            if header_problem(entity, list(reader.fieldnames or [])) is None:
                found.setdefault(entity, []).extend(
                    json.dumps(row, ensure_ascii=False) for row in reader
                    if None not in row and _utf8(json.dumps(row, ensure_ascii=False)))
    return found


def _utf8(text: str) -> bool:
    """False for a defect with a non-UTF-8 byte: the ingestor parks it (unparseable), the
    validator never sees it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def test_generated_records_get_the_same_verdict(tmp_path_factory: pytest.TempPathFactory
                                                ) -> None:
    records = _generated_records(tmp_path_factory.mktemp("generated"))
    assert set(records) >= {"orders", "order_items", "clickstream", "customers"}
    verdicts = {True: 0, False: 0}
    for entity, texts in records.items():
        for text in texts:
            _assert_agree(entity, text)
            verdicts[validate_json(entity, text).ok] += 1
    assert verdicts[True] and verdicts[False]  # the corpus has both kinds


_DEFECT_FIELDS = sorted({*defects.OUT_OF_RANGE, *defects.ENUM_FIELDS, *defects.FORMAT_DEFECTS,
                         *((e, f) for e in ENTITIES for f in fields(e))})


@pytest.mark.parametrize(("entity", "field"), _DEFECT_FIELDS)
@FOCUSED
@given(data=st.data())
def test_defects_and_valid_records_get_the_same_verdict(
        entity: str, field: str, data: st.DataObject) -> None:
    record = data.draw(json_records(entity))
    _assert_agree(entity, json.dumps(record, ensure_ascii=False))
    choices = [defects.bad_type_values(entity, field)]
    for table in (defects.OUT_OF_RANGE, defects.FORMAT_DEFECTS):
        if (entity, field) in table:
            choices.append(table[(entity, field)])
    if (entity, field) in defects.ENUM_FIELDS:
        choices.append(defects.not_in(defects.ENUM_FIELDS[(entity, field)]))
    record[field] = data.draw(st.one_of(choices))
    _assert_agree(entity, json.dumps(record, ensure_ascii=False))
