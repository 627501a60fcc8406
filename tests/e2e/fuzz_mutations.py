"""Mutations that real exports produce, applied to generated batch files at random."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

Mutation = Callable[[bytes, random.Random, int], bytes]


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def flip_bytes(data: bytes, rng: random.Random, _limit: int) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def stray_quote(data: bytes, rng: random.Random, _limit: int) -> bytes:
    lines = _lines(data)
    at = rng.randrange(1, max(2, len(lines)))
    if at < len(lines):
        lines[at] = lines[at][: len(lines[at]) // 2] + b'"' + lines[at][len(lines[at]) // 2:]
    return b"\n".join(lines)


def nul_and_controls(data: bytes, rng: random.Random, _limit: int) -> bytes:
    lines = _lines(data)
    at = rng.randrange(1, max(2, len(lines)))
    if at < len(lines):
        lines[at] = lines[at] + rng.choice([b"\x00", b"\\u0000", b"\x01\x02", b"\x1b[31m"])
    return b"\n".join(lines)


def long_line(data: bytes, rng: random.Random, limit: int) -> bytes:
    lines = _lines(data)
    size = rng.choice([limit - 64, limit - 1, limit, limit + 1, limit * 3])
    filler = rng.choice([b"x", b'"', b"\\", b"\n"]) * max(size, 0)
    lines.insert(rng.randrange(1, max(2, len(lines))), filler)
    return b"\n".join(lines)


def other_encoding(data: bytes, rng: random.Random, _limit: int) -> bytes:
    text = data.decode("utf-8", "replace")
    choice = rng.choice(["utf-16", "latin-1", "bom", "crlf"])
    if choice == "utf-16":
        return text.encode("utf-16")
    if choice == "latin-1":
        return (text + "caf\u00e9").encode("latin-1", "replace")
    if choice == "bom":
        return b"\xef\xbb\xbf" + data
    return data.replace(b"\n", b"\r\n")


def truncate(data: bytes, rng: random.Random, _limit: int) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def odd_json_line(data: bytes, rng: random.Random, _limit: int) -> bytes:
    odd = rng.choice([
        {"\u0000key": 1}, {"quantity": 1e308}, {"unit_price": 1234567.123456789012},
        {"order_id": ["nested"]}, {"x" * 200: "y"}, {f"k{i}": i for i in range(300)},
        [1, 2, 3], "text", None, {"order_ts": "2026-01-01T10:00:00.123456789Z"},
        {"line_number": 2**40}, {"order_id": "\ud800"},
    ])
    line = json.dumps(odd).encode() if not isinstance(odd, dict) or rng.random() < 0.5 \
        else json.dumps(odd, ensure_ascii=False).encode("utf-8", "surrogatepass")
    lines = _lines(data)
    lines.insert(rng.randrange(1, max(2, len(lines))), line)
    return b"\n".join(lines)


def duplicate_lines(data: bytes, rng: random.Random, _limit: int) -> bytes:
    lines = _lines(data)
    if len(lines) > 2:
        at = rng.randrange(1, len(lines))
        lines[at:at] = [lines[at]] * rng.randint(1, 5)
    return b"\n".join(lines)


MUTATIONS: tuple[Mutation, ...] = (flip_bytes, stray_quote, nul_and_controls, long_line,
                                   other_encoding, truncate, odd_json_line, duplicate_lines)


def mutate_batch(batch_dir: Path, rng: random.Random, line_limit: int) -> None:
    """Mutate about two thirds of the batch's data files, one to three mutations each."""
    for path in sorted(batch_dir.iterdir()):
        if path.name.startswith("_") or rng.random() < 0.33:
            continue
        data = path.read_bytes()
        for mutation in rng.sample(MUTATIONS, rng.randint(1, 3)):
            data = mutation(data, rng, line_limit)
        path.write_bytes(data)
