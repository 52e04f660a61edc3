"""`PatternPass`: a pass made of rewrite patterns applied greedily, then a legality check.

A pattern pass lists its patterns; `apply` runs them to a fixed point. The testing kit
calls `apply_counting` instead, which also says how often each pattern fired, so a
pattern that its own property test never exercises is noticed. An op with regions (a
generic) that a pattern inserts takes the `litho.loc` of the op the pattern matched, so
the source line of a graph op follows it down the levels.

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

from litho.dialects.attributes import LOCATION_ATTRIBUTE
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Attribute, Operation
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriterListener,
    PatternRewriteWalker,
    RewritePattern,
)
from xdsl.utils.exceptions import PassFailedException

REWRITES_PER_OP = 50


@dataclass
class _Locations:
    """The `litho.loc` of the op being rewritten, given to the ops with regions that its
    rewrite inserts."""

    current: Attribute | None = None

    def inserted(self, op: Operation) -> None:
        if self.current is not None and op.regions and LOCATION_ATTRIBUTE not in op.attributes:
            op.attributes[LOCATION_ATTRIBUTE] = self.current


@dataclass
class CountingPattern(RewritePattern):
    """Runs `pattern` and adds one to `fires[name]` each time it changes the IR.

    Past `budget` rewrites in all, it raises: patterns that undo each other, or match
    their own result, would otherwise rewrite forever.
    """

    pattern: RewritePattern
    fires: Counter[str]
    budget: int
    locations: _Locations

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        already_changed = rewriter.has_done_action
        self.locations.current = op.attributes.get(LOCATION_ATTRIBUTE)
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
        locations = _Locations()
        patterns = [CountingPattern(pattern, fires, budget, locations)
                    for pattern in self.patterns()]
        listener = PatternRewriterListener(operation_insertion_handler=[locations.inserted])
        PatternRewriteWalker(GreedyRewritePatternApplier(patterns),
                             listener=listener).rewrite_module(module)
        self.check_result(module)
        return fires
