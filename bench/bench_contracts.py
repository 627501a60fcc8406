"""CPU cost of the contracts per record: validate_json + canonical_json, per entity.

Generates a sample run with `shopflow generate` (valid records plus the generator's
defects), turns every CSV row and JSON line into the JSON text the validator receives
(one JSON object per record), and times, with `time.process_time`, validating each
record from its JSON text and writing the canonical JSON of each valid one.

    python bench/bench_contracts.py [--days 2] [--orders-per-day 500] [--rounds 5]
    python bench/bench_contracts.py --repo /tmp/contracts-before   # another checkout

Prints µs CPU per record (the best of `--rounds`), per entity and over all records,
for all records and for the valid and invalid ones apart. On a checkout without
`contracts.validate_json` (before decision 0051) the same work is
`orjson.loads` + `validate_record`, which is what the validator did per record then.

A second table times the entities with decimal fields again with every decimal text
written as a JSON number instead ("19.90" -> 19.90): since decision 0055 such a number
is read exactly, by a second pass over the record (see contracts/validate.py).
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

Validate = Callable[[str, bytes], Any]


def records_by_entity(days: int, orders_per_day: int) -> dict[str, list[bytes]]:
    """The records of a generated run as JSON texts; files the ingestor rejects whole (an
    unknown entity, a drifted CSV header) are left out, as the validator never sees them."""
    from contracts import ENTITIES, header_problem
    from shopflow.generate import GenerationConfig, generate

    found: dict[str, list[bytes]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-contracts-") as tmp:
        out = Path(tmp) / "run"
        generate(GenerationConfig(days=days, orders_per_day=orders_per_day, out=out))
        for path in sorted(out.glob("*/*.*")):
            entity = path.stem
            if entity not in ENTITIES:
                continue
            if path.suffix == ".jsonl":
                lines = path.read_bytes().splitlines()
                found.setdefault(entity, []).extend(line for line in lines if line.strip())
            elif path.suffix == ".csv":
                text = path.read_bytes().decode("utf-8", "surrogateescape")
                reader = csv.DictReader(io.StringIO(text, newline=""))
                if header_problem(entity, list(reader.fieldnames or [])) is not None:
                    continue
                for row in reader:
                    found.setdefault(entity, []).append(
                        orjson.dumps(row, option=orjson.OPT_NON_STR_KEYS)
                        if _encodable(row) else b"{")
    return found


def _encodable(row: dict[Any, Any]) -> bool:
    try:
        orjson.dumps(row, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        return False  # a defect row with a non-UTF-8 byte: the ingestor parks it
    return True


def with_json_numbers(entity: str, records: list[bytes]) -> list[bytes]:
    """The records with each decimal field's text written as a JSON number, when it is
    plain decimal text ("19.90" -> 19.90); other values are left as they are."""
    from contracts.base import rule_of
    from contracts.registry import get_contract

    model = get_contract(entity)
    names = [name for name in model.model_fields
             if (rule := rule_of(model, name)) is not None and rule.kind == "decimal"]
    patterns = [re.compile(b'("' + name.encode() + b'":)"([0-9]+(?:\\.[0-9]+)?)"')
                for name in names]
    changed = []
    for data in records:
        for pattern in patterns:
            data = pattern.sub(rb"\1\2", data)
        changed.append(data)
    return changed


def validator() -> Validate:
    import contracts

    if hasattr(contracts, "validate_json"):
        return contracts.validate_json  # type: ignore[no-any-return]

    def old(entity: str, data: bytes) -> Any:  # before 0051: what the validator did
        try:
            record = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            return contracts.unparseable(str(exc))
        if not isinstance(record, dict):
            return contracts.unparseable("not an object")
        return contracts.validate_record(entity, record)

    return old


def time_entity(entity: str, records: list[bytes], validate: Validate,
                canonical_json: Callable[[Any], bytes], rounds: int) -> dict[str, float]:
    outcomes = [validate(entity, data) for data in records]
    valid = [data for data, outcome in zip(records, outcomes, strict=True) if outcome.ok]
    invalid = [data for data, outcome in zip(records, outcomes, strict=True) if not outcome.ok]
    result = {"records": len(records), "valid": len(valid), "invalid": len(invalid)}
    for label, subset in (("all", records), ("valid_us", valid), ("invalid_us", invalid)):
        if not subset:
            result[label] = 0.0
            continue
        best = float("inf")
        for _ in range(rounds):
            started = time.process_time()
            for data in subset:
                outcome = validate(entity, data)
                if outcome.model is not None:
                    canonical_json(outcome.model)
            best = min(best, time.process_time() - started)
        result[label] = best / len(subset) * 1e6
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--orders-per-day", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repo", type=Path, help="time the contracts of another checkout")
    args = parser.parse_args(argv)
    root = (args.repo or Path(__file__).resolve().parent.parent).resolve()
    sys.path.insert(0, str(root))
    data = records_by_entity(args.days, args.orders_per_day)
    import contracts

    print(f"contracts from {Path(contracts.__file__).parent}")
    validate, total_time, total_records = validator(), 0.0, 0
    print(f"{'entity':<12} {'records':>8} {'invalid':>8} {'us/record':>10} "
          f"{'valid us':>9} {'invalid us':>10}")
    for entity in contracts.ENTITIES:
        records = data.get(entity, [])
        if not records:
            continue
        r = time_entity(entity, records, validate, contracts.canonical_json, args.rounds)
        total_time += r["all"] * len(records)
        total_records += len(records)
        print(f"{entity:<12} {r['records']:>8} {r['invalid']:>8} {r['all']:>10.2f} "
              f"{r['valid_us']:>9.2f} {r['invalid_us']:>10.2f}")
    print(f"{'all':<12} {total_records:>8} {'':>8} {total_time / total_records:>10.2f}")
    print("\ndecimal fields written as JSON numbers (19.90, not \"19.90\"):")
    for entity in ("products", "orders", "order_items", "campaigns"):
        records = with_json_numbers(entity, data.get(entity, []))
        if not records:
            continue
        r = time_entity(entity, records, validate, contracts.canonical_json, args.rounds)
        print(f"{entity:<12} {r['records']:>8} {r['invalid']:>8} {r['all']:>10.2f} "
              f"{r['valid_us']:>9.2f} {r['invalid_us']:>10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
