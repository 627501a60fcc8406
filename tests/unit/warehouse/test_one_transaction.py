"""one_transaction patches dbt's connection manager only for the block, also on error."""

from __future__ import annotations

from decimal import Decimal

import pytest
from dbt.adapters.base.connections import BaseConnectionManager
from dbt.adapters.postgres.connections import PostgresConnectionManager

from shopflow.warehouse.one_transaction import one_transaction
from shopflow.warehouse.quality import check_status

PATCHED = [(PostgresConnectionManager, "begin"), (PostgresConnectionManager, "commit"),
           (BaseConnectionManager, "get_thread_identifier"), (BaseConnectionManager, "release"),
           (BaseConnectionManager, "clear_transaction"), (BaseConnectionManager, "cleanup_all")]


def current() -> list[object]:
    return [cls.__dict__[name] for cls, name in PATCHED]


def test_the_patch_holds_inside_the_block_and_is_undone_after_an_error() -> None:
    before = current()
    with pytest.raises(RuntimeError, match="boom"), one_transaction() as kept:
        inside = current()
        assert all(a is not b for a, b in zip(inside, before, strict=True))
        assert BaseConnectionManager.get_thread_identifier() == \
            PostgresConnectionManager.get_thread_identifier()
        assert kept.connection is None
        raise RuntimeError("boom")
    assert current() == before


@pytest.mark.parametrize(("observed", "meta", "status"), [
    (Decimal(0), {}, "pass"), (Decimal(1), {}, "fail"),
    (Decimal(1), {"warn_above": 0, "fail_above": None}, "warn"),
    (Decimal(1), {"warn_above": 1, "fail_above": 7}, "pass"),
    (Decimal(2), {"warn_above": 1, "fail_above": 7}, "warn"),
    (Decimal(8), {"warn_above": 1, "fail_above": 7}, "fail"),
    (None, {}, "pass"),
])
def test_a_checks_status_follows_its_thresholds(observed: Decimal | None, meta: dict,
                                                status: str) -> None:
    assert check_status(observed, meta) == status
