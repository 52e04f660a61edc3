"""Small builders of the CPU target's loop and vector code, shared by litho-gemm and
litho-attention: index constants and arithmetic, loops whose bodies are built in place,
constant vectors."""

from __future__ import annotations

from xdsl.builder import ImplicitBuilder
from xdsl.dialects import arith, scf
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, IndexType, VectorType, i1
from xdsl.ir import Block, SSAValue


def index_constant(value: int) -> SSAValue:
    return arith.ConstantOp.from_int_and_width(value, IndexType()).result


def index_min(a: SSAValue, b: SSAValue) -> SSAValue:
    return arith.MinSIOp(a, b).result


def index_add(a: SSAValue, b: SSAValue) -> SSAValue:
    return arith.AddiOp(a, b).result


def loop(lower: SSAValue, upper: SSAValue, step: int, body, parallel: bool = False):
    """A loop over [lower, upper) whose body `body(iv)` is built in place."""
    block = Block(arg_types=[IndexType()])
    with ImplicitBuilder(block):
        body(block.args[0])
        (scf.ReduceOp() if parallel else scf.YieldOp())
    if parallel:
        return scf.ParallelOp([lower], [upper], [index_constant(step)], [block])
    return scf.ForOp(lower, upper, index_constant(step), [], [block])


def true() -> SSAValue:
    return arith.ConstantOp.from_int_and_width(1, i1).result


def splat_vector(vector_type: VectorType, value: float) -> SSAValue:
    """A constant vector of `vector_type` with `value` in every lane."""
    lanes = DenseIntOrFPElementsAttr.from_list(vector_type, [value] * vector_type.get_shape()[0])
    return arith.ConstantOp(lanes, vector_type).result
