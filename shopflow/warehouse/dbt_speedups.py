"""Two caches for work dbt repeats on every node of every build (docs/decisions/0089).

A daily build runs about 60 nodes, and dbt spends more time on its own per node than
most of those nodes spend in PostgreSQL. Two parts of it redo, each time, work whose
result cannot change within a process:

* Jinja compiles the same source text (a model, a hook) to the same Python code on every
  render: the code is kept, keyed by everything the compiler reads (the environment's
  class and syntax options and the source), and each render still gets a fresh template
  with its own globals.
* Every statement's result becomes an agate table, and agate builds a new type tester
  (date and time parsers, slow to set up) for each one, even for the empty result of a
  DDL statement: type testers are stateless, so one per set of text-only columns is kept,
  and one empty table is shared (agate tables are immutable).

dbt-core and dbt-common are pinned exactly (pyproject.toml);
tests/unit/warehouse/test_dbt_speedups.py fails if an upgrade moves what is patched.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
from types import CodeType
from typing import Any

_applied = False
_lock = threading.Lock()
_COMPILED_LIMIT = 4096


def apply() -> None:
    """Install both caches (idempotent)."""
    global _applied
    with _lock:
        if _applied:
            return
        _cache_jinja_compilation()
        _cache_agate_type_testers()
        _applied = True


def _environment_key(env: Any) -> tuple[Any, ...]:
    """What the Jinja compiler reads from its environment, besides the source."""
    return (type(env), env.code_generator_class, tuple(sorted(env.extensions)),
            env.block_start_string, env.block_end_string, env.variable_start_string,
            env.variable_end_string, env.comment_start_string, env.comment_end_string,
            env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks,
            env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
            env.optimized, env.finalize, env.autoescape, env.is_async)


def _cache_jinja_compilation() -> None:
    from dbt_common.clients.jinja import MacroFuzzEnvironment

    original: Any = MacroFuzzEnvironment.compile
    compiled: dict[tuple[Any, ...], CodeType | str] = {}

    def compile_once(self: Any, source: Any, name: str | None = None,
                     filename: str | None = None, raw: bool = False,
                     defer_init: bool = False) -> CodeType | str:
        if raw or not isinstance(source, str):
            return original(self, source, name, filename, raw, defer_init)
        key = (_environment_key(self), source, name, filename, defer_init)
        code = compiled.get(key)
        if code is None:
            code = original(self, source, name, filename, False, defer_init)
            if len(compiled) >= _COMPILED_LIMIT:
                compiled.clear()
            compiled[key] = code
        return code

    MacroFuzzEnvironment.compile = compile_once  # type: ignore[method-assign,assignment]


def _cache_agate_type_testers() -> None:
    import agate
    from dbt_common.clients import agate_helper

    original = agate_helper.build_type_tester
    empty = agate.Table(rows=[])

    @functools.lru_cache(maxsize=256)
    def cached(text_columns: frozenset[str], string_null_values: tuple[str, ...] | None) -> Any:
        return original(text_columns, string_null_values=string_null_values)

    def build_type_tester(text_columns: Iterable[str],
                          string_null_values: Iterable[str] | None = ("null", "")) -> Any:
        nulls = None if string_null_values is None else tuple(string_null_values)
        return cached(frozenset(text_columns), nulls)

    agate_helper.build_type_tester = build_type_tester
    agate_helper.empty_table = lambda: empty
