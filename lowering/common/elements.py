"""Which elements of its operands a generic touches, counted out for static shapes.

Fusing a matmul's epilogue into its output tile asks questions of the epilogue's
indexing maps that are hard to answer in closed form once reshapes have put floordiv and
mod in them: is this input read at the very element the loop writes? Do consecutive
elements of a row of C read consecutive elements of this input? Shapes are static, so
these functions answer them exactly by evaluating the maps at every point of the loops,
with numpy, as row-major positions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from litho.lowering.graph.convert_litho_tensor_to_linalg import row_major_strides
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir.affine import AffineMap


def every_point(extents: Sequence[int]) -> list[np.ndarray]:
    """Each point of loops of `extents`, in row-major order: one flat array per loop."""
    return list(np.indices(tuple(extents)).reshape(len(extents), -1))


def positions(indexing: AffineMap, shape: Sequence[int], points: Sequence[np.ndarray]
              ) -> np.ndarray:
    """The row-major position, in a buffer of `shape`, of the element that `indexing` reads
    at each of `points`."""
    total = np.zeros_like(points[0]) if points else np.zeros(1, dtype=np.int64)
    for expr, stride in zip(indexing.results, row_major_strides(shape), strict=True):
        total = total + np.asarray(expr.eval(list(points), [])) * stride
    return total


def reads_own_element(op: linalg.GenericOp, operand: int) -> bool:
    """Whether `op`, whose loops run over its one output as it is laid out (an identity
    map), reads input `operand` at the element of the same row-major position as the one
    it writes, at every point (through a reshape's map, say)."""
    output = op.outputs[0].type
    read = op.inputs[operand].type
    identity = AffineMap.identity(output.get_num_dims())
    if (len(op.outputs) != 1 or op.indexing_maps.data[-1].data != identity
            or read.element_count() != output.element_count()):
        return False
    points = every_point(output.get_shape())
    position = positions(op.indexing_maps.data[operand].data, read.get_shape(), points)
    return bool(np.array_equal(position, np.arange(output.element_count())))
