"""dbt_speedups: the caches change how often work is done, never its result."""

from __future__ import annotations

import inspect

import agate
import jinja2
from dbt_common.clients import agate_helper
from dbt_common.clients.jinja import get_environment, get_template, render_template

from shopflow.warehouse import dbt_speedups

SOURCE = "{% set n = items | length %}{{ greeting }}: {{ n }}{% if n > 1 %}s{% endif %}"


def render(ctx: dict[str, object], native: bool = False) -> object:
    return render_template(get_template(SOURCE, ctx, native=native), ctx)


def test_what_is_patched_is_still_where_dbt_keeps_it() -> None:
    compile_params = list(inspect.signature(jinja2.Environment.compile).parameters)
    assert compile_params == ["self", "source", "name", "filename", "raw", "defer_init"]
    tester_params = list(inspect.signature(agate_helper.build_type_tester).parameters)
    assert tester_params == ["text_columns", "string_null_values"]
    assert callable(agate_helper.empty_table)


def test_a_source_is_compiled_once_and_each_render_keeps_its_own_globals() -> None:
    dbt_speedups.apply()
    dbt_speedups.apply()  # idempotent: not wrapped twice
    first = get_environment().compile(SOURCE)
    again = get_environment().compile(SOURCE)
    assert first is again
    assert get_environment(native=True).compile(SOURCE) is not first, "another generator"
    assert render({"greeting": "items", "items": [1, 2]}) == "items: 2s"
    assert render({"greeting": "one", "items": [1]}) == "one: 1"
    assert get_environment().compile("{{ 1 + 2 }}") is not first


def test_a_syntax_error_still_raises_every_time() -> None:
    dbt_speedups.apply()
    for _ in range(2):
        try:
            get_environment().compile("{% if %}")
        except jinja2.TemplateSyntaxError:
            continue
        raise AssertionError("a broken template compiled")


def test_result_tables_keep_their_types() -> None:
    dbt_speedups.apply()
    assert len(agate_helper.empty_table().rows) == 0
    assert agate_helper.empty_table() is agate_helper.empty_table()
    texts = agate_helper.table_from_data_flat([{"code": "005"}], ["code"])
    assert texts.rows[0]["code"] == "005", "text stays text"
    numbers = agate_helper.table_from_rows([[5]], ["n"], text_only_columns=[])
    assert isinstance(numbers.column_types[0], agate_helper.Integer)
    dates = agate_helper.table_from_rows([["2026-01-02"]], ["d"], text_only_columns=[])
    assert isinstance(dates.column_types[0], agate.Date)
    kept = agate_helper.table_from_rows([["null"]], ["t"], text_only_columns=["t"])
    assert kept.rows[0]["t"] == "null", "a text-only column keeps the literal"
    assert agate_helper.build_type_tester(["a", "b"]) is agate_helper.build_type_tester(["b", "a"])
