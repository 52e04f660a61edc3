"""`PatternPass`: a pass made of rewrite patterns applied greedily, then a legality check.

A pattern pass lists its patterns; `apply` runs them to a fixed point. The testing kit
calls `apply_counting` instead, which also says how often each pattern fired, so a
pattern that its own property test never exercises is noticed.

```python
@dataclass(frozen=True)
class MyPass(PatternPass):
    name = "my-pass"

    def patterns(self) -> list[RewritePattern]:
        return [FoldThisPattern(), FoldThatPattern()]
```
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
)


@dataclass
class CountingPattern(RewritePattern):
    """Runs `pattern` and adds one to `fires[name]` each time it changes the IR."""

    pattern: RewritePattern
    fires: Counter[str]

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        already_changed = rewriter.has_done_action
        self.pattern.match_and_rewrite(op, rewriter)
        if rewriter.has_done_action and not already_changed:
            self.fires[type(self.pattern).__name__] += 1


@dataclass(frozen=True)
class PatternPass(ModulePass):
    """Base of passes that are a list of patterns plus a check of what they leave."""

    def patterns(self) -> Sequence[RewritePattern]:
        raise NotImplementedError

    def check_result(self, module: ModuleOp) -> None:
        """Raise PassFailedException if the patterns left IR this pass must not leave."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        self.apply_counting(op)

    def apply_counting(self, module: ModuleOp) -> Counter[str]:
        """Apply the pass to `module`; return how often each pattern fired, by class name."""
        fires: Counter[str] = Counter()
        patterns = [CountingPattern(pattern, fires) for pattern in self.patterns()]
        PatternRewriteWalker(GreedyRewritePatternApplier(patterns)).rewrite_module(module)
        self.check_result(module)
        return fires
