"""litho-attention: one attention as flash attention, a tile of query rows at a time.

Input: L3 buffers before litho-gemm and convert-linalg-to-loops, in which one
`litho_tensor.attention` is six generics marked with their roles (`ATTENTION_ROLES`,
see attention_to_linalg.py): the scores `(q * scale) @ kt`, their masked row maxima,
the weights, their row sums, `weights @ v`, and its division by the sums. Output: loops
that never hold more than one block of scores (online softmax, Dao et al., 2022), as
vector ops of width W:

    parallel over (batch, tile of R query rows)
      m = -inf, l = 0, acc = 0                     R maxima, sums, rows of E values
      for j0 in [0, N) step W                      a block of keys
        s[r] = sum_d (q[r, d] * scale) * kt[d, j0:j0+W] + mask[r, j0:j0+W]
        m'[r] = max(m[r], max(s[r]))
        p[r] = exp(s[r] - m'[r]); alpha = exp(m[r] - m'[r])
        l[r] = l[r] * alpha + sum(p[r]); acc[r] = acc[r] * alpha + p[r] @ v[j0:j0+W]
      out[r] = acc[r] / l[r]

The scores, weights and the other intermediates are not allocated: the block of scores
lives in R vectors, the maxima, sums and R x ceil(E / W) accumulators are carried by the
loop over keys. Keys past N are -inf (their weight is 0); a block whose scores are all
-inf keeps maxima -inf and subtracts 0 instead, so a later block is not NaN; a row
masked whole is 0 / 0 = NaN, as a softmax gives, or 0 when the attention says so (as
eager's scaled_dot_product_attention gives). The weights are summed and multiplied in
another order than the generics', so the pass reassociates.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import ClassVar

from litho.dialects.attributes import ATTENTION_ATTRIBUTE, ATTENTION_ROLES
from litho.lowering.common.functions import defined_functions
from litho.lowering.common.tolerance import REASSOCIATE, Tolerance
from litho.lowering.graph.attention_to_linalg import attention_maps
from litho.lowering.graph.convert_litho_tensor_to_linalg import scalar_constant
from litho.lowering.loops.litho_parallel_loops import MIN_PARALLEL_WORK
from litho.lowering.targets.cpu.builders import (
    index_add,
    index_constant,
    index_min,
    loop,
    splat_vector,
)
from xdsl.builder import ImplicitBuilder
from xdsl.context import Context
from xdsl.dialects import arith, memref, scf, vector
from xdsl.dialects import math as xmath
from xdsl.dialects.builtin import IndexType, ModuleOp, StringAttr, VectorType, f32, i1
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Block, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

ROWS_OF_ACCUMULATORS = 16
"""How many accumulator vectors a tile keeps (of AVX-512's 32 registers, the rest hold
the block of scores, a row of values and a broadcast)."""


@dataclass(frozen=True)
class _Attention:
    """One attention's generics in role order, and its buffers."""

    generics: tuple[linalg.GenericOp, ...]
    query: SSAValue
    key_t: SSAValue
    value: SSAValue
    mask: SSAValue | None
    output: SSAValue
    scale: float
    zero_masked_rows: bool

    @property
    def batch(self) -> tuple[int, ...]:
        return tuple(self.query.type.get_shape()[:-2])


def _role(op: Operation) -> str | None:
    role = op.attributes.get(ATTENTION_ATTRIBUTE)
    return role.data if isinstance(role, StringAttr) and isinstance(op, linalg.GenericOp) \
        else None


def _attention_at(scores: linalg.GenericOp) -> _Attention | None:
    """The attention whose scores generic is `scores`, if its six generics follow in
    order, read each other as attention_to_linalg makes them, and are f32 memrefs."""
    generics = [scores]
    op = scores.next_op
    while op is not None and len(generics) < len(ATTENTION_ROLES):
        if _role(op) is not None:
            generics.append(op)
        op = op.next_op
    if [_role(generic) for generic in generics] != list(ATTENTION_ROLES):
        return None
    g_scores, g_max, g_weights, g_sums, g_values, g_norm = generics
    s, e = g_scores.outputs[0], g_weights.outputs[0]
    query, key_t = g_scores.inputs
    masks = list(g_max.inputs[1:])
    if list(g_max.inputs[:1]) != [s] or list(g_weights.inputs) != [s, *masks, g_max.outputs[0]] \
            or list(g_sums.inputs) != [e] or g_values.inputs[0] != e \
            or list(g_norm.inputs) != [g_values.outputs[0], g_sums.outputs[0]]:
        return None
    mask = masks[0] if masks else None
    batch = len(query.type.get_shape()) - 2
    expected = attention_maps(batch, tuple(mask.type.get_shape()) if mask else None)
    if any([m.data for m in generic.indexing_maps.data] != expected[role]
           for generic, role in zip(generics, ATTENTION_ROLES, strict=True)):
        return None
    if any(value.type.get_element_type() != f32 for generic in generics
           for value in generic.operands):
        return None
    constants = [op for op in g_scores.body.block.ops if isinstance(op, arith.ConstantOp)]
    scale = constants[0].value.value.data if constants else 1.0
    zero_rows = any(isinstance(op, arith.SelectOp) for op in g_norm.body.block.ops)
    return _Attention(tuple(generics), query, key_t, g_values.inputs[1], mask,
                      g_norm.outputs[0], scale, zero_rows)


class _FlashEmitter:
    """Builds the loops of one attention (see the module's docstring) at the current
    ImplicitBuilder."""

    def __init__(self, attention: _Attention, width: int, parallel: bool):
        self.attention, self.width, self.parallel = attention, width, parallel
        *_, self.m, self.d = attention.query.type.get_shape()
        self.n, self.e = attention.value.type.get_shape()[-2:]
        self.value_vectors = -(-self.e // width)
        self.rows = max(1, min(4, ROWS_OF_ACCUMULATORS // self.value_vectors))
        self.vector_type = VectorType(f32, [width])
        self.mask_type = VectorType(i1, [width])

    def emit(self) -> None:
        tiles = -(-self.m // self.rows)
        total = math.prod(self.attention.batch) * tiles
        loop(index_constant(0), index_constant(total), 1,
             lambda t: self.tile(t, tiles), parallel=self.parallel)

    def tile(self, t: SSAValue, tiles: int) -> None:
        """The rows of tile `t` (of `tiles` per batch element) of one batch element."""
        flat_batch = arith.DivUIOp(t, index_constant(tiles)).result
        first_row = arith.MuliOp(arith.RemUIOp(t, index_constant(tiles)).result,
                                 index_constant(self.rows)).result
        batch = []
        for size in reversed(self.attention.batch):
            batch.insert(0, arith.RemUIOp(flat_batch, index_constant(size)).result)
            flat_batch = arith.DivUIOp(flat_batch, index_constant(size)).result
        rows = [index_add(first_row, index_constant(r)) for r in range(self.rows)]
        inside = [arith.CmpiOp(row, index_constant(self.m), "slt").result for row in rows]
        rows = [index_min(row, index_constant(self.m - 1)) for row in rows]
        value_masks = [self.lanes_below(index_constant(self.e - v * self.width))
                       for v in range(self.value_vectors)]
        minus_infinity, zero = scalar_constant(-math.inf, f32), scalar_constant(0.0, f32)
        state = ([minus_infinity] * self.rows + [zero] * self.rows
                 + [splat_vector(self.vector_type, 0.0)] * self.rows * self.value_vectors)
        block = Block(arg_types=[IndexType(), *(value.type for value in state)])
        with ImplicitBuilder(block):
            scf.YieldOp(*self.key_block(batch, rows, value_masks, block.args[0],
                                        list(block.args[1:])))
        final = scf.ForOp(index_constant(0), index_constant(self.n),
                          index_constant(self.width), state, [block]).results
        sums, accumulators = final[self.rows:2 * self.rows], final[2 * self.rows:]
        for r, row in enumerate(rows):
            total = vector.BroadcastOp(sums[r], self.vector_type).vector
            for v, value_mask in enumerate(value_masks):
                stored = arith.AndIOp(value_mask, vector.BroadcastOp(
                    inside[r], self.mask_type).vector).result
                normalized = arith.DivfOp(accumulators[r * self.value_vectors + v], total).result
                if self.attention.zero_masked_rows:  # its sum is 0
                    zeros = splat_vector(self.vector_type, 0.0)
                    masked_whole = arith.CmpfOp(total, zeros, "oeq").result
                    normalized = arith.SelectOp(masked_whole, zeros, normalized).result
                vector.MaskedStoreOp(self.attention.output, self.at(batch, row, v * self.width),
                                     stored, normalized)

    def key_block(self, batch: list[SSAValue], rows: list[SSAValue],
                  value_masks: list[SSAValue], j0: SSAValue, state: list[SSAValue]
                  ) -> list[SSAValue]:
        """One block of W keys: the scores, the online softmax's update of the state
        (maxima, sums, accumulators), and the weighted sum of the block's values."""
        a, count = self.attention, self.rows
        maxima, sums, accumulators = state[:count], state[count:2 * count], state[2 * count:]
        keys = self.lanes_below(arith.SubiOp(index_constant(self.n), j0).result)
        scores = self.scores(batch, rows, keys, j0)
        minus_infinity = splat_vector(self.vector_type, -math.inf)
        zero = scalar_constant(0.0, f32)
        weights, new_maxima, new_sums, scaled = [], [], [], []
        for r, row in enumerate(rows):
            score = scores[r]
            if a.mask is not None:
                mask_row = self.at(self.mask_batch(batch), row, j0)
                score = arith.AddfOp(score, vector.MaskedLoadOp(
                    a.mask, mask_row, keys, splat_vector(self.vector_type, 0.0)).result).result
            score = arith.SelectOp(keys, score, minus_infinity).result
            maximum = arith.MaximumfOp(maxima[r], _reduce(score, "maximumf")).result
            unmasked = arith.CmpfOp(maximum, scalar_constant(-math.inf, f32), "one").result
            subtracted = arith.SelectOp(unmasked, maximum, zero).result
            weight = xmath.ExpOp(arith.SubfOp(score, vector.BroadcastOp(
                subtracted, self.vector_type).vector).result).result
            alpha = xmath.ExpOp(arith.SubfOp(maxima[r], subtracted).result).result
            new_sums.append(arith.AddfOp(arith.MulfOp(sums[r], alpha).result,
                                         _reduce(weight, "add")).result)
            alphas = vector.BroadcastOp(alpha, self.vector_type).vector
            scaled += [arith.MulfOp(accumulators[r * self.value_vectors + v], alphas).result
                       for v in range(self.value_vectors)]
            weights.append(weight)
            new_maxima.append(maximum)
        for lane in range(self.width):
            key = index_min(index_add(j0, index_constant(lane)), index_constant(self.n - 1))
            values = [vector.MaskedLoadOp(a.value, self.at(batch, key, v * self.width),
                                          value_mask, splat_vector(self.vector_type, 0.0)).result
                      for v, value_mask in enumerate(value_masks)]
            for r in range(count):
                weight = vector.ExtractOp(weights[r], [lane], f32).result
                spread = vector.BroadcastOp(weight, self.vector_type).vector
                for v, values_v in enumerate(values):
                    at = r * self.value_vectors + v
                    scaled[at] = vector.FMAOp(spread, values_v, scaled[at]).res
        return [*new_maxima, *new_sums, *scaled]

    def scores(self, batch: list[SSAValue], rows: list[SSAValue], keys: SSAValue,
               j0: SSAValue) -> list[SSAValue]:
        """The block of scores `(q * scale) @ kt[:, j0:j0+W]` of each row, in vectors."""
        a = self.attention
        zeros = splat_vector(self.vector_type, 0.0)
        block = Block(arg_types=[IndexType(), *[self.vector_type] * len(rows)])
        d, *carried = block.args
        with ImplicitBuilder(block):
            key = vector.MaskedLoadOp(a.key_t, self.at(batch, d, j0), keys,
                                      zeros).result
            updated = []
            for row, total in zip(rows, carried, strict=True):
                query = memref.LoadOp.get(a.query, [*batch, row, d]).res
                if a.scale != 1.0:
                    query = arith.MulfOp(query, scalar_constant(a.scale, f32)).result
                spread = vector.BroadcastOp(query, self.vector_type).vector
                updated.append(vector.FMAOp(spread, key, total).res)
            scf.YieldOp(*updated)
        return list(scf.ForOp(index_constant(0), index_constant(self.d), index_constant(1),
                              [zeros] * len(rows), [block]).results)

    def mask_batch(self, batch: list[SSAValue]) -> list[SSAValue]:
        """The mask's batch indices: 0 where it is broadcast."""
        shape = self.attention.mask.type.get_shape()[:-2]
        return [index_constant(0) if size == 1 else index
                for size, index in zip(shape, batch, strict=True)]

    @staticmethod
    def at(batch: list[SSAValue], row: SSAValue, column: SSAValue | int) -> list[SSAValue]:
        """The indices [batch..., row, column] of a buffer."""
        return [*batch, row, index_constant(column) if isinstance(column, int) else column]

    def lanes_below(self, count: SSAValue) -> SSAValue:
        return vector.CreateMaskOp([count], self.mask_type).mask_vector



def _reduce(lanes: SSAValue, kind: str) -> SSAValue:
    """The lanes of `lanes` combined by `kind` (a sum in any order)."""
    flags = arith.FastMathFlagsAttr([arith.FastMathFlag.REASSOC] if kind == "add" else "none")
    return vector.ReductionOp(lanes, vector.CombiningKindAttr(vector.CombiningKindFlag(kind)),
                              fastmath=flags).dest


def rewrite_attention(attention: _Attention, width: int, parallel: bool) -> None:
    """Replace the attention's generics with the flash loops; the intermediate buffers
    go, with the fills that wrote them."""
    block = Block()
    with ImplicitBuilder(block):
        _FlashEmitter(attention, width, parallel).emit()
    Rewriter.inline_block(block, InsertPoint.before(attention.generics[-1]))
    intermediates = [generic.outputs[0] for generic in attention.generics[:-1]]
    for generic in attention.generics:
        Rewriter.erase_op(generic)
    for buffer in intermediates:
        for use in list(buffer.uses):
            writer = use.operation
            if isinstance(writer, linalg.GenericOp) and list(writer.outputs) == [buffer]:
                Rewriter.erase_op(writer)
        if isinstance(buffer.owner, memref.AllocOp) and not buffer.uses:
            Rewriter.erase_op(buffer.owner)


@dataclass(frozen=True)
class LithoAttentionPass(ModulePass):
    """Run each attention's generics as flash attention (online softmax) in vector ops of
    `vector_width` lanes, on every core (`threads` 0) when its multiply-adds reach
    `min_parallel_work`."""

    name = "litho-attention"
    tolerance: ClassVar[Tolerance] = REASSOCIATE
    vector_width: int = 16
    min_parallel_work: int = MIN_PARALLEL_WORK
    threads: int = 0

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        threads = self.threads or len(os.sched_getaffinity(0))
        for function in defined_functions(op):
            scores = [generic for generic in function.walk() if _role(generic) == "scores"]
            for found in filter(None, map(_attention_at, scores)):
                *batch, m, d = found.query.type.get_shape()
                n, e = found.value.type.get_shape()[-2:]
                work = math.prod(batch) * m * n * (d + e)
                rewrite_attention(found, self.vector_width,
                                  threads > 1 and work >= self.min_parallel_work)
