"""Attention in the testing kit: the `attention` op that `programs()` draws, and
`attention_programs()`, attention written out in the ops it is captured as (matmuls, a
scaling, a mask, the parts of a softmax), for litho-fuse-attention and the kernel that
litho-attention makes of it.

```python
check_pass(LithoFuseAttentionPass(), program_strategy=attention_programs())
```
"""

from __future__ import annotations

import math
from collections.abc import Callable

from hypothesis import strategies as st
from litho.compiler.testing.bounds import Bounds
from litho.compiler.testing.program import Argument, Node, Program, ValueSpec


def add_attention(builder, op: str) -> int | None:
    """`programs()`' attention: fresh queries [batch..., M, D], transposed keys
    [batch..., D, N], values [batch..., N, E] and, half the time, an additive mask whose
    batch dimensions are each the batch's or 1; a scale of 1, 1/2 or 1/8; rows masked
    whole NaN or 0."""
    batch = builder.shape()[: max(0, builder.max_rank - 2)]
    m, d, n, e = (builder.draw(st.integers(1, builder.max_dim)) for _ in range(4))
    operands = [builder.argument(ValueSpec(shape, "f32"))
                for shape in ((*batch, m, d), (*batch, d, n), (*batch, n, e))]
    if builder.draw(st.booleans()):
        mask_batch = tuple(size if builder.draw(st.booleans()) else 1 for size in batch)
        operands.append(builder.argument(ValueSpec((*mask_batch, m, n), "f32")))
    scale = builder.draw(st.sampled_from((1.0, 0.5, 0.125)))
    values = builder.bounds[operands[2]]  # each output is a weighted mean of values
    return builder.node(op, tuple(operands), ValueSpec((*batch, m, e), "f32"),
                        Bounds(min(values.low, 0), max(values.high, 0)), scale=scale,
                        zero_masked_rows=builder.draw(st.booleans()))


class _Writer:
    """A program written one op at a time: each op returns its result's value number."""

    def __init__(self) -> None:
        self.arguments: list[Argument] = []
        self.nodes: list[Node] = []

    def argument(self, shape: tuple[int, ...], dtype: str = "f32") -> int:
        low, high = (0, 1) if dtype == "i1" else (-3.0, 3.0)
        self.arguments.append(Argument(ValueSpec(shape, dtype), low, high))
        return len(self.arguments) - 1

    def spec(self, value: int) -> ValueSpec:
        if value < len(self.arguments):
            return self.arguments[value].spec
        return self.nodes[value - len(self.arguments)].result

    def op(self, name: str, operands: tuple[int, ...], shape: tuple[int, ...] | None = None,
           dtype: str = "f32", **attributes: object) -> int:
        if shape is None:
            shape = self.spec(operands[0]).shape
        self.nodes.append(Node(name, operands, ValueSpec(shape, dtype), attributes))
        return len(self.arguments) + len(self.nodes) - 1

    def reshape(self, value: int, shape: tuple[int, ...]) -> int:
        return value if self.spec(value).shape == shape else self.op("reshape", (value,), shape)


@st.composite
def attention_programs(draw: Callable, max_dim: int = 5) -> Program:
    """`softmax(scale * (q @ kt) masked) @ v` in the ops capture gives: the matmuls of a
    4-d batch run in 3-d between reshapes, as torch's matmul does; keys given transposed
    or permuted; a scale by `mul` or `div` with a constant, or none; a boolean mask by
    `where(mask, s, -inf)`, an additive one by `add`, or none, of the scores' rank or
    less; the softmax's row max, subtract, exp, row sum and divide, and half the time the
    `where` that makes rows masked whole 0 (else NaN). A third of the programs also return
    the scores or the probabilities, which must then stay as they are."""
    writer = _Writer()  # every argument first: a program numbers them before its ops
    dims = st.integers(1, max_dim)
    batch = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    m, d, n, e = (draw(dims) for _ in range(4))
    flat = (math.prod(batch),) if len(batch) == 2 else batch
    query = writer.argument((*batch, m, d))
    permuted = draw(st.booleans())
    keys = writer.argument((*batch, n, d) if permuted else (*batch, d, n))
    values = writer.argument((*batch, n, e))
    masking = draw(st.sampled_from((None, "where", "add")))
    if masking is not None:
        rank = draw(st.integers(2, 2 + len(batch)))
        shape = tuple(size if draw(st.booleans()) else 1 for size in batch)[len(batch) + 2 - rank:]
        mask = writer.argument((*shape, m, n), "i1" if masking == "where" else "f32")
    if permuted:
        keys = writer.op("permute", (keys,), (*batch, d, n),
                         dims=(*range(len(batch)), len(batch) + 1, len(batch)))
    scores = writer.op("matmul", (writer.reshape(query, (*flat, m, d)),
                                  writer.reshape(keys, (*flat, d, n))), (*flat, m, n))
    scores = writer.reshape(scores, (*batch, m, n))
    scaling = draw(st.sampled_from((None, "mul", "div")))
    if scaling is not None:
        factor = writer.op("constant", (), (), value=draw(st.sampled_from((0.125, 0.5, 3.0))))
        scores = writer.op(scaling, (scores, factor), (*batch, m, n))
    if masking == "where":
        minus_infinity = writer.op("constant", (), (), value=-math.inf)
        scores = writer.op("where", (mask, scores, minus_infinity), (*batch, m, n))
    elif masking == "add":
        scores = writer.op("add", (scores, mask), (*batch, m, n))
    last = (len(batch) + 1,)
    maxima = writer.op("reduce_max", (scores,), (*batch, m, 1), dims=last, keepdim=True)
    weights = writer.op("exp", (writer.op("sub", (scores, maxima)),))
    sums = writer.op("reduce_sum", (weights,), (*batch, m, 1), dims=last, keepdim=True)
    probabilities = writer.op("div", (weights, sums))
    if draw(st.booleans()):  # rows masked whole 0, as capture writes SDPA
        minus_infinity = writer.op("constant", (), (), value=-math.inf)
        masked_whole = writer.op("cmp", (maxima, minus_infinity), (*batch, m, 1), "i1",
                                 predicate="eq")
        zero = writer.op("constant", (), (), value=0.0)
        probabilities = writer.op("where", (masked_whole, zero, probabilities),
                                  (*batch, m, n))
    output = writer.op("matmul", (writer.reshape(probabilities, (*flat, m, n)),
                                  writer.reshape(values, (*flat, n, e))),
                       (*flat, m, e))
    outputs = (writer.reshape(output, (*batch, m, e)),)
    extra = draw(st.sampled_from((None, None, None, None, scores, probabilities)))
    if extra is not None:
        outputs = (*outputs, extra)
    return Program(tuple(writer.arguments), tuple(writer.nodes), outputs)
