"""A matmul's epilogue, which litho-gemm applies to the tiles of C while they are in L1.

The epilogue is the elementwise generic just after a matmul (litho-outline-kernels puts
them in one kernel) that alone reads C, at the element it writes: a bias, an activation,
a residual add, a scaling, a convolution's batch norm. litho-gemm then writes the
matmul's partial sums straight into the epilogue's output, and after the last block of
k applies the epilogue's body, as vector ops of the microkernel's width, to each tile
just stored: C is never allocated, and the epilogue's loops are gone.

Along a vector of C's consecutive elements, each other input of the epilogue must be
read either at consecutive elements of its own (a residual: one masked vector load) or
at one element (a bias along C's columns, a per-channel scale: a load and a broadcast);
an epilogue that reads an input otherwise, reads its output's initial value, or computes
with anything but arith and math ops is left as loops of its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from litho.lowering.common.elements import every_point, positions
from litho.lowering.graph.convert_litho_tensor_to_linalg import row_major_strides
from litho.lowering.targets.cpu.matmuls import Matmul
from xdsl.dialects import arith, memref, vector
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    Float32Type,
    IntegerType,
    MemRefType,
    VectorType,
)
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Attribute, SSAValue
from xdsl.ir.affine import AffineExpr, AffineMap

_COMPUTING_DIALECTS = ("arith", "math")


@dataclass(frozen=True)
class Epilogue:
    """The elementwise generic `op` after a matmul, which writes `output`: `at` maps the
    matmul's loops to the indices of `output` where C's element lies; `reads` maps them to
    the indices each input is read at (None for C itself), and `broadcast` says which
    inputs hold one element along a vector of C."""

    op: linalg.GenericOp
    output: SSAValue
    at: AffineMap
    reads: tuple[AffineMap | None, ...]
    broadcast: tuple[bool, ...]

    def apply(self, matmul: Matmul, batch: dict[int, SSAValue], row: SSAValue,
              column: SSAValue, mask: SSAValue, sums: SSAValue) -> SSAValue:
        """The epilogue's value, as vector ops at the current builder, of the vector `sums`
        of C at `row` and `column` (no further than C's last column), whose lanes
        past C or its row are off in `mask`."""
        vector_type = sums.type
        zeros = _splat(0.0, vector_type)
        values: dict[SSAValue, SSAValue] = {}
        for arg, value, indexing, broadcast in zip(self.op.body.block.args, self.op.inputs,
                                                   self.reads, self.broadcast, strict=False):
            if indexing is None:
                values[arg] = sums
                continue
            indices = matmul.indices_of(indexing, batch, i=row, j=column)
            if broadcast:
                element = memref.LoadOp.get(value, indices).res
                values[arg] = vector.BroadcastOp(element, vector_type).vector
            else:
                values[arg] = vector.MaskedLoadOp(value, indices, mask, zeros).result
        lanes = vector_type.get_shape()
        for op in self.op.body.block.ops:
            if isinstance(op, linalg.YieldOp):
                return values[op.operands[0]]
            if isinstance(op, arith.ConstantOp):
                values[op.result] = _splat(op.value.value.data, VectorType(op.result.type,
                                                                           lanes))
                continue
            operands = [values[operand] if operand in values else
                        vector.BroadcastOp(operand, VectorType(operand.type, lanes)).vector
                        for operand in op.operands]
            vectorized = type(op).create(
                operands=operands, properties=dict(op.properties),
                attributes=dict(op.attributes),
                result_types=[VectorType(result.type, lanes) for result in op.results])
            values.update(zip(op.results, vectorized.results, strict=True))
        raise AssertionError("a generic's body ends in linalg.yield")


def _splat(value: float | int, vector_type: VectorType) -> SSAValue:
    attribute = DenseIntOrFPElementsAttr.from_list(vector_type, [value])
    return arith.ConstantOp(attribute, vector_type).result


def epilogue_of(matmul: Matmul) -> Epilogue | None:
    """The epilogue of `matmul` (see the module's docstring), or None if the generic after
    it is not one. The matmul must fill C with zeros first, C must be a buffer of its own
    that nothing else reads, and the epilogue must write a new buffer."""
    op, c = matmul.op.next_op, matmul.c
    if (matmul.fill is None or not isinstance(c.owner, memref.AllocOp)
            or not isinstance(op, linalg.GenericOp) or len(op.outputs) != 1
            or any(use.operation not in (matmul.fill, matmul.op, op) for use in c.uses)):
        return None
    output = op.outputs[0]
    if (c not in op.inputs or output in (*op.inputs, matmul.a, matmul.b)
            or not isinstance(output.type, MemRefType)
            or not isinstance(output.type.get_element_type(), Float32Type)
            or output.type.element_count() != c.type.element_count()
            or op.indexing_maps.data[-1].data != AffineMap.identity(len(op.iterator_types))
            or {str(kind.data) for kind in op.iterator_types} != {"parallel"}
            or op.body.block.args[-1].uses or not _computes_elementwise(op)):
        return None
    at = _element_of_c(matmul, output.type.get_shape())
    c_positions = positions(matmul.maps[2], c.type.get_shape(),
                            every_point([*matmul.batch, matmul.m, matmul.n, 1]))
    # the epilogue's loops run over its output: the point where it meets each element of C
    points = list(np.unravel_index(c_positions, output.type.get_shape()))
    reads, broadcast = [], []
    for value, indexing in zip(op.inputs, op.indexing_maps.data, strict=False):
        read = positions(indexing.data, value.type.get_shape(), points)
        if value == c:
            if not np.array_equal(read, c_positions):
                return None
            reads.append(None)
            broadcast.append(False)
            continue
        if not isinstance(value.type, MemRefType) or \
                not isinstance(value.type.get_element_type(), Float32Type):
            return None
        along_row = read.reshape(-1, matmul.n) - read.reshape(-1, matmul.n)[:, :1]
        if not along_row.any():
            broadcast.append(True)
        elif np.array_equal(along_row, np.broadcast_to(np.arange(matmul.n), along_row.shape)):
            broadcast.append(False)
        else:
            return None
        reads.append(indexing.data.compose(at))
    return Epilogue(op, output, at, tuple(reads), tuple(broadcast))


def _computes_elementwise(op: linalg.GenericOp) -> bool:
    """Whether the body is arith and math ops on scalars, which have vector forms."""
    return all(isinstance(body_op, linalg.YieldOp) or (
        body_op.dialect_name() in _COMPUTING_DIALECTS and not body_op.regions
        and all(_is_scalar(value.type) for value in (*body_op.operands, *body_op.results)))
        for body_op in op.body.block.ops)


def _is_scalar(attribute: Attribute) -> bool:
    return isinstance(attribute, Float32Type | IntegerType)


def _element_of_c(matmul: Matmul, shape: tuple[int, ...]) -> AffineMap:
    """The map from the matmul's loops to the indices in a buffer of `shape` of C's element
    at the same row-major position (C's own map where the shapes agree)."""
    c_shape = matmul.c.type.get_shape()
    if tuple(shape) == tuple(c_shape):
        return matmul.maps[2]
    position: AffineExpr = AffineExpr.constant(0)
    for expr, stride in zip(matmul.maps[2].results, row_major_strides(c_shape), strict=True):
        position = position + expr * stride
    results = []
    for size, stride in zip(shape, row_major_strides(shape), strict=True):
        digit = position // stride if stride > 1 else position
        results.append(digit % size if size * stride < math.prod(shape) else digit)
    return AffineMap(matmul.maps[2].num_dims, 0, tuple(results))
