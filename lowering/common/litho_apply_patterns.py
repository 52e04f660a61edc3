"""litho-apply-patterns: apply rewrite patterns named by their import path, greedily.

It lets `litho-opt` run one pattern (or a few) alone, which is how the testing kit
reproduces a failing pattern. Each pattern class is written `module:ClassName` and must
be constructible without arguments; the module must be importable (set PYTHONPATH).

```
litho-opt in.mlir -p 'litho-apply-patterns{names="mypackage.patterns:FoldPattern"}'
```
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from litho.lowering.common.pattern_pass import PatternPass
from xdsl.pattern_rewriter import RewritePattern
from xdsl.utils.exceptions import PassFailedException


def load_pattern(path: str) -> RewritePattern:
    """An instance of the pattern class at `module:ClassName`."""
    module_name, _, class_name = path.partition(":")
    try:
        pattern_class = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError) as error:
        raise PassFailedException(
            f"litho-apply-patterns: cannot load pattern {path!r} ({error}); write it as "
            "module:ClassName with the module on PYTHONPATH"
        ) from error
    return pattern_class()


def pattern_path(pattern: RewritePattern) -> str:
    """The `module:ClassName` that `load_pattern` turns back into `pattern`."""
    return f"{type(pattern).__module__}:{type(pattern).__qualname__}"


@dataclass(frozen=True)
class LithoApplyPatternsPass(PatternPass):
    """Apply the comma-separated pattern `names` (each `module:ClassName`) to a fixed point."""

    name = "litho-apply-patterns"

    names: str = ""

    def patterns(self) -> list[RewritePattern]:
        paths = [path.strip() for path in self.names.split(",") if path.strip()]
        if not paths:
            raise PassFailedException("litho-apply-patterns: give names=module:ClassName")
        return [load_pattern(path) for path in paths]
