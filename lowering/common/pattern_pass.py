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
from xdsl.utils.exceptions import PassFailedException

REWRITES_PER_OP = 50


@dataclass
class CountingPattern(RewritePattern):
    """Runs `pattern` and adds one to `fires[name]` each time it changes the IR.

    Past `budget` rewrites in all, it raises: patterns that undo each other, or match
    their own result, would otherwise rewrite forever.
    """

    pattern: RewritePattern
    fires: Counter[str]
    budget: int

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        already_changed = rewriter.has_done_action
        self.pattern.match_and_rewrite(op, rewriter)
        if not rewriter.has_done_action or already_changed:
            return
        name = type(self.pattern).__name__
        self.fires[name] += 1
        if self.fires.total() > self.budget:
            raise PassFailedException(
                f"patterns did not converge: {self.fires.total()} rewrites, the last by "
                f"{name} on {op.name}; a pattern re-matches its own result or another "
                "pattern undoes it"
            )


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
        budget = REWRITES_PER_OP * (1 + sum(1 for _ in module.walk()))
        patterns = [CountingPattern(pattern, fires, budget) for pattern in self.patterns()]
        PatternRewriteWalker(GreedyRewritePatternApplier(patterns)).rewrite_module(module)
        self.check_result(module)
        return fires
