"""What writing one more day costs on a built warehouse: fact_events and fact_sessions.

    python bench/bench_transform.py --days 30 --orders-per-day 5000 --keep-database ...
    python bench/bench_fact_inserts.py postgresql://shopflow@127.0.0.1:5432/bench_transform_x

Copies the rows of one stored day (default: the day before the latest) as a new day after
the latest (new keys, times one day later, same visitors), inserts them after a
CHECKPOINT (builds are a day apart, so every page a build touches is its first change
since a checkpoint and goes whole to the WAL) and rolls back. Prints seconds and WAL
bytes per table and round; run it before and after an index change (decision 0085).
Needs a role that may CHECKPOINT (superuser or pg_checkpoint).
"""

from __future__ import annotations

import argparse
import time

import psycopg

EVENTS = """
insert into warehouse.fact_events
select 'copy-' || event_id, event_ts + interval '1 day', event_date + 1, visitor_id,
       customer_id, anonymous_id, session_id, event_type, product_id, order_id, page_url,
       referrer, utm_source, utm_medium, utm_campaign, device, source_batch_id
from warehouse.fact_events where event_date = %(day)s
"""
SESSIONS = """
insert into warehouse.fact_sessions
select session_id # 1234567, visitor_id, customer_id, anonymous_id,
       session_start + interval '1 day', session_end + interval '1 day', session_date + 1,
       date_key + 1, duration_seconds, event_count, page_views, product_views,
       add_to_cart_events, checkout_events, purchase_events, reached_product_view,
       reached_add_to_cart, reached_checkout, reached_purchase, utm_source, utm_medium,
       utm_campaign, device
from warehouse.fact_sessions where session_date = %(day)s
"""


def insert_once(url: str, sql: str, day: object) -> tuple[int, float, int]:
    """Rows, seconds and WAL bytes of one insert after a checkpoint (rolled back)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("checkpoint")
        start_lsn = conn.execute("select pg_current_wal_lsn()").fetchone()[0]  # type: ignore[index]
        conn.autocommit = False
        started = time.monotonic()
        rows = conn.execute(sql, {"day": day}).rowcount
        seconds = time.monotonic() - started
        wal = conn.execute("select pg_wal_lsn_diff(pg_current_wal_lsn(), %s)::bigint",
                           (start_lsn,)).fetchone()[0]  # type: ignore[index]
        conn.rollback()
    return rows, seconds, int(wal)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="a built warehouse (owner role)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with psycopg.connect(args.url) as conn:
        day = conn.execute("select max(event_date) - 1 from warehouse.fact_events").fetchone()[0]  # type: ignore[index]
        stored = conn.execute("select count(*) from warehouse.fact_events").fetchone()[0]  # type: ignore[index]
    print(f"copying {day} as a new day onto {stored:,} stored events")
    for table, sql in (("fact_events", EVENTS), ("fact_sessions", SESSIONS)):
        for round_ in range(1, args.rounds + 1):
            rows, seconds, wal = insert_once(args.url, sql, day)
            print(f"{table:<14} round {round_}: {rows:>9,} rows {seconds:7.2f} s "
                  f"WAL {wal / 2**20:7.0f} MB", flush=True)


if __name__ == "__main__":
    main()
