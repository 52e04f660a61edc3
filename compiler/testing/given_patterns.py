"""Rewrite patterns as a check was given them: applied as instances, reproduced honestly.

`check_patterns` applies the pattern objects it is given, so a pattern defined in a
test, or one whose constructor takes arguments, is checked as it is. Its repro command
can only be `litho-opt -p 'litho-apply-patterns{names=...}'` when litho-opt can rebuild
each pattern from `module:ClassName` alone; `unloadable_reason` says when it cannot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litho.lowering.common.litho_apply_patterns import load_pattern, pattern_path
from litho.lowering.common.pattern_pass import PatternPass
from litho.lowering.common.tolerance import EXACT, Tolerance
from xdsl.pattern_rewriter import RewritePattern
from xdsl.utils.exceptions import PassFailedException


@dataclass(frozen=True)
class GivenPatternsPass(PatternPass):
    """The pattern instances `given`, applied greedily to a fixed point."""

    name = "check-patterns"

    given: tuple[RewritePattern, ...] = ()
    tolerance: Tolerance = EXACT

    def patterns(self) -> list[RewritePattern]:
        return list(self.given)


def unloadable_reason(pattern: RewritePattern) -> str | None:
    """Why `litho-apply-patterns` cannot rebuild `pattern` from its class path, or None."""
    pattern_class = type(pattern)
    name = pattern_class.__qualname__
    if pattern_class.__module__ == "__main__":
        return f"{name} is defined in a script (__main__), which litho-opt cannot import"
    if "<locals>" in name:
        return f"{name} is defined inside a function"
    try:
        rebuilt = load_pattern(pattern_path(pattern))
    except PassFailedException as error:
        return str(error).removeprefix("litho-apply-patterns: ")
    except TypeError as error:
        return f"{name} takes constructor arguments ({error})"
    if type(rebuilt) is not pattern_class or _state(rebuilt) != _state(pattern):
        return f"{name}() without arguments is not the pattern checked (it was built with some)"
    return None


def _state(pattern: RewritePattern) -> Any:
    return getattr(pattern, "__dict__", None)
