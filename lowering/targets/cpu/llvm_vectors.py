"""LLVM IR for the `vector` ops litho emits (a part of translate_to_llvm.py's
`FunctionTranslation`), and the intrinsics they and the scalar ops call.

Vectors are LLVM vectors of their lanes; masked loads and stores are `llvm.masked.*`,
whose lanes litho defines as consecutive elements in row-major order; reductions are
`llvm.vector.reduce.*`.
"""

from __future__ import annotations

from collections.abc import Sequence

from litho.compiler.errors import CompilationError
from litho.lowering.graph.convert_litho_tensor_to_linalg import row_major_strides
from llvmlite import ir
from xdsl.dialects import vector
from xdsl.ir import Operation, SSAValue


def fast_math(op: Operation) -> tuple[str, ...]:
    """The LLVM fast-math flags of an arith op (`reassoc`, `contract`, ...)."""
    flags = getattr(op, "fastmath", None)
    return tuple(sorted(flag.value for flag in flags.data)) if flags is not None else ()


class VectorTranslation:
    """The vector ops' handlers, and the address of a buffer's element that they and the
    scalar loads and stores use; the translation that has them holds `module`,
    `builder`, `values` (each SSA value's LLVM value) and `operands(op)`."""

    module: ir.Module
    builder: ir.IRBuilder
    values: dict[SSAValue, ir.Value]

    def element_pointer(self, buffer: SSAValue, indices: Sequence[SSAValue]) -> ir.Value:
        """The address of the element at `indices` of a row-major buffer."""
        index_type = ir.IntType(64)
        linear: ir.Value = ir.Constant(index_type, 0)
        for index, stride in zip(indices, row_major_strides(buffer.type.get_shape()), strict=True):
            term = self.builder.mul(self.values[index], ir.Constant(index_type, stride))
            linear = self.builder.add(linear, term)
        return self.builder.gep(self.values[buffer], [linear], inbounds=True)

    def splat(self, value: ir.Value, lanes: int) -> ir.Value:
        """A vector of `lanes` copies of `value`."""
        vector_type = ir.VectorType(value.type, lanes)
        first = self.builder.insert_element(ir.Constant(vector_type, ir.Undefined), value,
                                            ir.Constant(ir.IntType(32), 0))
        return self.builder.shuffle_vector(
            first, ir.Constant(vector_type, ir.Undefined),
            ir.Constant(ir.VectorType(ir.IntType(32), lanes), None))

    def broadcast(self, op: vector.BroadcastOp) -> None:
        (lanes,) = op.vector.type.get_shape()
        self.values[op.vector] = self.splat(self.values[op.source], lanes)

    def fma(self, op: vector.FMAOp) -> None:
        operands = self.operands(op)
        intrinsic = intrinsic_function(self.module, "llvm.fma", operands[0].type, 3)
        self.values[op.res] = self.builder.call(intrinsic, operands)

    def create_mask(self, op: vector.CreateMaskOp) -> None:
        """Lanes below the count are on (none for a count below 0, all above the width)."""
        (count,) = self.operands(op)
        (lanes,) = op.mask_vector.type.get_shape()
        iota = ir.Constant(ir.VectorType(count.type, lanes), list(range(lanes)))
        self.values[op.mask_vector] = self.builder.icmp_signed(
            "<", iota, self.splat(count, lanes))

    def masked_intrinsic(self, name: str, vector_type: ir.VectorType) -> ir.Function:
        """`llvm.masked.load` or `llvm.masked.store` of `vector_type`."""
        pointer, i32 = vector_type.element.as_pointer(), ir.IntType(32)
        mask = ir.VectorType(ir.IntType(1), vector_type.count)
        if name == "llvm.masked.load":
            result, arguments = vector_type, [pointer, i32, mask, vector_type]
        else:
            result, arguments = ir.VoidType(), [vector_type, pointer, i32, mask]
        return runtime_function(self.module, f"{name}.{intrinsic_suffix(vector_type)}.p0",
                                 result, arguments)

    def reduction(self, op: vector.ReductionOp) -> None:
        """`add` (in any order when `reassoc`) and `maximumf` (NaN if a lane is) of f32."""
        operand = self.values[op.vector]
        kind, suffix = op.kind.data.value, intrinsic_suffix(operand.type)
        element = operand.type.element
        if kind == "add":
            function = runtime_function(self.module, f"llvm.vector.reduce.fadd.{suffix}",
                                         element, [element, operand.type])
            self.values[op.dest] = self.builder.call(
                function, [ir.Constant(element, -0.0), operand], fastmath=fast_math(op))
        elif kind == "maximumf":
            function = runtime_function(self.module, f"llvm.vector.reduce.fmaximum.{suffix}",
                                         element, [operand.type])
            self.values[op.dest] = self.builder.call(function, [operand])
        else:
            raise CompilationError(f"LLVM translation does not handle vector.reduction {kind}")

    def extract(self, op: vector.ExtractOp) -> None:
        """One lane, at a constant position."""
        (position,) = op.static_position.get_values()
        self.values[op.result] = self.builder.extract_element(
            self.values[op.vector], ir.Constant(ir.IntType(32), position))

    def masked_load(self, op: vector.MaskedLoadOp) -> None:
        vector_type = self.values[op.pass_thru].type
        pointer = self.element_pointer(op.base, op.indices)
        alignment = _alignment(vector_type)
        self.values[op.result] = self.builder.call(
            self.masked_intrinsic("llvm.masked.load", vector_type),
            [pointer, alignment, self.values[op.mask], self.values[op.pass_thru]])

    def masked_store(self, op: vector.MaskedStoreOp) -> None:
        value = self.values[op.value_to_store]
        pointer = self.element_pointer(op.base, op.indices)
        alignment = _alignment(value.type)
        self.builder.call(self.masked_intrinsic("llvm.masked.store", value.type),
                          [value, pointer, alignment, self.values[op.mask]])


def intrinsic_suffix(value_type: ir.Type) -> str:
    """How LLVM's intrinsic names spell a type: `f32`, `v16f32`."""
    if isinstance(value_type, ir.VectorType):
        return f"v{value_type.count}{value_type.element.intrinsic_name}"
    return value_type.intrinsic_name


def intrinsic_function(module: ir.Module, name: str, value_type: ir.Type, arity: int
                       ) -> ir.Function:
    """The intrinsic `name` (`llvm.sqrt`) of `arity` operands of `value_type`, a scalar or
    a vector, giving one."""
    return runtime_function(module, f"{name}.{intrinsic_suffix(value_type)}", value_type,
                             [value_type] * arity)


def _alignment(vector_type: ir.VectorType) -> ir.Constant:
    """The alignment a masked load or store may assume: its element's size in bytes."""
    element = vector_type.element
    bits = element.width if isinstance(element, ir.IntType) else (
        32 if isinstance(element, ir.FloatType) else 64)
    return ir.Constant(ir.IntType(32), max(1, bits // 8))


def runtime_function(module: ir.Module, name: str, result: ir.Type,
                      arguments: list[ir.Type]) -> ir.Function:
    existing = module.globals.get(name)
    if existing is not None:
        return existing
    return ir.Function(module, ir.FunctionType(result, arguments), name)
