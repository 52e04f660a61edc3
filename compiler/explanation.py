"""`explain(model, *inputs)`: which ops of a model litho compiles and which fall back, and
which producers it did not fuse into the kernels that read them, and why.

```python
>>> print(litho.compiler.explain(model, x))
litho compiles 41 of 42 ops of MyModel; 1 run in torch eager:
  aten.cummax.default  x1  model.py:12  (litho has no importer for this op)
compiled: aten.add.Tensor x12, aten.mm.default x4, ...
litho left unfused (producers kept out of the generics that read them):
    1 x addf_maximumf            amax @ model.py:14: it is a reduction (...)
```
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import torch
from litho.compiler.driver import _FunctionModule, jit
from litho.compiler.errors import FallbackWarning
from litho.compiler.frontend.capture import capture, model_name
from litho.compiler.frontend.importer import (
    source_location,
    target_name,
)
from litho.compiler.frontend.support import (
    reported_nodes,
    unsupported_reasons,
)
from litho.compiler.pipeline import FusionRefusal, refusal_table


@dataclass(frozen=True)
class FallbackOp:
    """An ATen op that runs in torch eager: how often, from which lines, and why."""

    op: str
    count: int
    locations: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Explanation:
    """What litho makes of a model on given inputs."""

    model_name: str
    compiled: dict[str, int]
    fallback: tuple[FallbackOp, ...]
    unfused: Mapping[FusionRefusal, int]
    """The producers fusion left as kernels of their own (how many of each)."""

    @property
    def op_count(self) -> int:
        return sum(self.compiled.values()) + sum(op.count for op in self.fallback)

    def __str__(self) -> str:
        fallback_count = sum(op.count for op in self.fallback)
        lines = [
            f"litho compiles {self.op_count - fallback_count} of {self.op_count} ops of "
            f"{self.model_name}; {fallback_count} run in torch eager"
            + (":" if self.fallback else ".")
        ]
        for op in self.fallback:
            lines.append(f"  {op.op}  x{op.count}  {', '.join(op.locations)}  ({op.reason})")
        compiled = ", ".join(f"{name} x{count}" for name, count in self.compiled.items())
        lines.append(f"compiled: {compiled}")
        lines.append(refusal_table(Counter(self.unfused)))
        return "\n".join(lines)


def explain(model: torch.nn.Module, *args: object, **kwargs: object) -> Explanation:
    """Capture `model` on `args` and `kwargs` as `jit` does and report each op's fate;
    compile it as `jit` does (once) for the fusions it refused."""
    if not isinstance(model, torch.nn.Module):
        model = _FunctionModule(model)
    with torch.no_grad():
        graph = capture(model, args, dict(sorted(kwargs.items()))).graph_module.graph
    reasons = unsupported_reasons(graph)
    reported = set(reported_nodes(reasons))
    compiled: Counter[str] = Counter()
    fallback: dict[str, list[torch.fx.Node]] = {}
    for node in graph.nodes:
        if node.op != "call_function":
            continue
        if node in reported:
            fallback.setdefault(target_name(node), []).append(node)
        elif node not in reasons:
            compiled[target_name(node)] += 1
    fast = jit(model)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore", FallbackWarning)
        fast(*args, **kwargs)
    return Explanation(
        model_name(model),
        dict(compiled.most_common()),
        tuple(
            FallbackOp(
                name,
                len(nodes),
                tuple(dict.fromkeys(source_location(node) for node in nodes)),
                reasons[nodes[0]],
            )
            for name, nodes in fallback.items()
        ),
        dict(fast.last_compile.fusion_refusals.most_common()),
    )
