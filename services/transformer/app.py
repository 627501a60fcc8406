"""Wiring of the transformer service."""

from __future__ import annotations

from shopflow.runtime.service import ServiceContext


def main(context: ServiceContext) -> None:
    context.shutdown.wait()
