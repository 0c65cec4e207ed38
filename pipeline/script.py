"""OpenCC converters, built once per process: Traditional ↔ Simplified."""

from __future__ import annotations

from functools import cache

import opencc

__all__ = ["t2s", "s2t"]


def _converter(config: str) -> opencc.OpenCC:
    try:
        return opencc.OpenCC(f"{config}.json")
    except Exception:  # older bindings want the bare config name
        return opencc.OpenCC(config)


@cache
def t2s() -> opencc.OpenCC:
    """Traditional → Simplified."""
    return _converter("t2s")


@cache
def s2t() -> opencc.OpenCC:
    """Simplified → Traditional."""
    return _converter("s2t")
