"""Translation of L3 (func, scf, arith, math, memref on static shapes) to LLVM IR.

This is litho's CPU code generator: one module, one function per op kind, built with
llvmlite's IRBuilder. It takes IR after litho-memory-plan and produces, for each
`func.func @name(%a: memref<..>, ..., %out: memref<..>)`, an LLVM function

    void @name(T* noalias %a, ..., T* noalias %out, i8* noalias %arena, i64* noalias %errors)

with the C ABI: every memref is a pointer to its first element (row-major, contiguous),
`%arena` points to `litho.arena_size` bytes that hold every `memref.alloc`, and
`%errors` to two zeroed slots where a failed `litho_guard.checked_index` writes its site
(1 + its position in `error_sites(module)`) and the bad index.
`scf.for` becomes a loop with phi nodes; `math` ops become LLVM intrinsics or libm calls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from litho.compiler.errors import CompilationError
from litho.dialects.attributes import KERNEL_ATTRIBUTE, OFFSET_ATTRIBUTE
from litho.dialects.guard import CheckedIndexOp, error_sites
from litho.lowering.graph.convert_litho_tensor_to_linalg import row_major_strides
from llvmlite import ir
from xdsl.dialects import arith, func, math, memref, scf
from xdsl.dialects.builtin import (
    Float32Type,
    Float64Type,
    IndexType,
    IntegerType,
    MemRefType,
    ModuleOp,
)
from xdsl.ir import Attribute, Block, Operation, SSAValue

ARENA_ARGUMENT = "arena"
ERRORS_ARGUMENT = "errors"


def llvm_type(attribute: Attribute) -> ir.Type:
    """The LLVM type of a scalar xDSL type, or of a pointer to a memref's elements."""
    match attribute:
        case Float32Type():
            return ir.FloatType()
        case Float64Type():
            return ir.DoubleType()
        case IndexType():
            return ir.IntType(64)
        case IntegerType():
            return ir.IntType(attribute.width.data)
        case MemRefType():
            return llvm_type(attribute.get_element_type()).as_pointer()
    raise CompilationError(f"no LLVM type for {attribute}")


_FLOAT_BINARY = {
    arith.AddfOp: "fadd",
    arith.SubfOp: "fsub",
    arith.MulfOp: "fmul",
    arith.DivfOp: "fdiv",
}
_INTEGER_BINARY = {
    arith.AddiOp: "add",
    arith.SubiOp: "sub",
    arith.MuliOp: "mul",
    arith.DivSIOp: "sdiv",
    arith.RemSIOp: "srem",
    arith.AndIOp: "and_",
    arith.OrIOp: "or_",
    arith.XOrIOp: "xor",
}
_FLOAT_INTRINSICS = {
    arith.MaximumfOp: "llvm.maximum",
    arith.MinimumfOp: "llvm.minimum",
    math.ExpOp: "llvm.exp",
    math.LogOp: "llvm.log",
    math.SqrtOp: "llvm.sqrt",
    math.CosOp: "llvm.cos",
    math.SinOp: "llvm.sin",
    math.PowFOp: "llvm.pow",
}
_LIBM = {math.TanhOp: "tanh", math.ErfOp: "erf"}
_CMPF = {
    "oeq": (True, "=="),
    "one": (True, "!="),
    "olt": (True, "<"),
    "ole": (True, "<="),
    "ogt": (True, ">"),
    "oge": (True, ">="),
    "une": (False, "!="),
}
_CMPI = {"eq": "==", "ne": "!=", "slt": "<", "sle": "<=", "sgt": ">", "sge": ">="}
_CMPI_UNSIGNED = {"ult": "<", "ule": "<=", "ugt": ">", "uge": ">="}
_INTEGER_MAX_MIN = {
    arith.MaxSIOp: (True, ">"),
    arith.MinSIOp: (True, "<"),
    arith.MaxUIOp: (False, ">"),
    arith.MinUIOp: (False, "<"),
}
_CASTS = {
    arith.SIToFPOp: "sitofp",
    arith.UIToFPOp: "uitofp",
    arith.FPToSIOp: "fptosi",
    arith.ExtFOp: "fpext",
    arith.TruncFOp: "fptrunc",
    arith.ExtSIOp: "sext",
    arith.ExtUIOp: "zext",
    arith.TruncIOp: "trunc",
}


class FunctionTranslation:
    """Translates one bufferized `func.func` into an LLVM function of `module`."""

    def __init__(
        self, module: ir.Module, function: func.FuncOp, sites: dict[CheckedIndexOp, int]
    ):
        self.module = module
        self.function = function
        self.sites = sites
        self.values: dict[SSAValue, ir.Value] = {}
        self.builder = ir.IRBuilder()
        self.handlers: dict[type[Operation], Callable[[Operation], None]] = {
            arith.ConstantOp: self.constant,
            arith.CmpfOp: self.cmpf,
            arith.CmpiOp: self.cmpi,
            arith.SelectOp: self.select,
            arith.NegfOp: self.negf,
            arith.FloorDivSIOp: self.floordivsi,
            arith.IndexCastOp: self.index_cast,
            math.RsqrtOp: self.rsqrt,
            memref.AllocOp: self.alloc,
            memref.LoadOp: self.load,
            memref.StoreOp: self.store,
            scf.ForOp: self.for_loop,
            func.CallOp: self.call,
            CheckedIndexOp: self.checked_index,
            func.ReturnOp: lambda op: self.builder.ret_void(),
        }
        for table, handler in (
            (_FLOAT_BINARY, self.binary),
            (_INTEGER_BINARY, self.binary),
            (_FLOAT_INTRINSICS, self.intrinsic),
            (_LIBM, self.libm_call),
            (_CASTS, self.cast),
            (_INTEGER_MAX_MIN, self.integer_max_min),
        ):
            self.handlers.update(dict.fromkeys(table, handler))

    def translate(self) -> ir.Function:
        llvm_function = self.module.get_global(self.function.sym_name.data)
        self.arena, self.errors = llvm_function.args[-2:]
        self.arena.name, self.errors.name = ARENA_ARGUMENT, ERRORS_ARGUMENT
        self.builder = ir.IRBuilder(llvm_function.append_basic_block("entry"))
        buffers = llvm_function.args[:-2]
        for arg, llvm_arg in zip(self.function.body.block.args, buffers, strict=True):
            self.values[arg] = llvm_arg
        self.translate_block(self.function.body.block)
        return llvm_function

    def translate_block(self, block: Block) -> None:
        for op in block.ops:
            self.handler_for(op)(op)

    def handler_for(self, op: Operation) -> Callable[[Operation], None]:
        handler = self.handlers.get(type(op))
        if handler is None:
            raise CompilationError(f"LLVM translation does not handle {op.name}")
        return handler

    def operands(self, op: Operation) -> list[ir.Value]:
        return [self.values[operand] for operand in op.operands]

    def constant(self, op: arith.ConstantOp) -> None:
        value = op.value.value.data
        self.values[op.result] = ir.Constant(llvm_type(op.result.type), value)

    def binary(self, op: Operation) -> None:
        name = _FLOAT_BINARY.get(type(op)) or _INTEGER_BINARY[type(op)]
        self.values[op.results[0]] = getattr(self.builder, name)(*self.operands(op))

    def negf(self, op: arith.NegfOp) -> None:
        self.values[op.result] = self.builder.fneg(self.values[op.operand])

    def intrinsic(self, op: Operation) -> None:
        operands = self.operands(op)
        value_type = operands[0].type
        signature = ir.FunctionType(value_type, [value_type] * len(operands))
        intrinsic = self.module.declare_intrinsic(
            _FLOAT_INTRINSICS[type(op)], [value_type], signature
        )
        self.values[op.results[0]] = self.builder.call(intrinsic, operands)

    def libm_call(self, op: Operation) -> None:
        (operand,) = self.operands(op)
        name = _LIBM[type(op)] + ("f" if operand.type == ir.FloatType() else "")
        callee = self.module.globals.get(name)
        if callee is None:
            callee = ir.Function(self.module, ir.FunctionType(operand.type, [operand.type]), name)
        self.values[op.results[0]] = self.builder.call(callee, [operand])

    def rsqrt(self, op: math.RsqrtOp) -> None:
        (operand,) = self.operands(op)
        sqrt = self.module.declare_intrinsic("llvm.sqrt", [operand.type])
        root = self.builder.call(sqrt, [operand])
        self.values[op.result] = self.builder.fdiv(ir.Constant(operand.type, 1.0), root)

    def cmpf(self, op: arith.CmpfOp) -> None:
        ordered, comparison = _CMPF[arith.CMPF_COMPARISON_OPERATIONS[op.predicate.value.data]]
        compare = self.builder.fcmp_ordered if ordered else self.builder.fcmp_unordered
        self.values[op.result] = compare(comparison, *self.operands(op))

    def cmpi(self, op: arith.CmpiOp) -> None:
        predicate = arith.CMPI_COMPARISON_OPERATIONS[op.predicate.value.data]
        if predicate in _CMPI_UNSIGNED:
            compare = self.builder.icmp_unsigned(_CMPI_UNSIGNED[predicate], *self.operands(op))
        else:
            compare = self.builder.icmp_signed(_CMPI[predicate], *self.operands(op))
        self.values[op.result] = compare

    def select(self, op: arith.SelectOp) -> None:
        self.values[op.result] = self.builder.select(*self.operands(op))

    def integer_max_min(self, op: Operation) -> None:
        lhs, rhs = self.operands(op)
        signed, comparison = _INTEGER_MAX_MIN[type(op)]
        compare = self.builder.icmp_signed if signed else self.builder.icmp_unsigned
        pick_lhs = compare(comparison, lhs, rhs)
        self.values[op.results[0]] = self.builder.select(pick_lhs, lhs, rhs)

    def floordivsi(self, op: arith.FloorDivSIOp) -> None:
        lhs, rhs = self.operands(op)
        quotient = self.builder.sdiv(lhs, rhs)
        remainder = self.builder.srem(lhs, rhs)
        zero = ir.Constant(lhs.type, 0)
        inexact = self.builder.icmp_signed("!=", remainder, zero)
        signs_differ = self.builder.xor(
            self.builder.icmp_signed("<", remainder, zero),
            self.builder.icmp_signed("<", rhs, zero),
        )
        adjust = self.builder.zext(self.builder.and_(inexact, signs_differ), lhs.type)
        self.values[op.result] = self.builder.sub(quotient, adjust)

    def cast(self, op: Operation) -> None:
        (operand,) = self.operands(op)
        cast = getattr(self.builder, _CASTS[type(op)])
        self.values[op.results[0]] = cast(operand, llvm_type(op.results[0].type))

    def index_cast(self, op: arith.IndexCastOp) -> None:
        (operand,) = self.operands(op)
        target = llvm_type(op.result.type)
        if target.width == operand.type.width:
            self.values[op.result] = operand
        elif target.width > operand.type.width:
            self.values[op.result] = self.builder.sext(operand, target)
        else:
            self.values[op.result] = self.builder.trunc(operand, target)

    def alloc(self, op: memref.AllocOp) -> None:
        offset = op.attributes.get(OFFSET_ATTRIBUTE)
        if offset is None:
            raise CompilationError("memref.alloc has no arena offset: run litho-memory-plan")
        address = self.builder.gep(self.arena, [ir.Constant(ir.IntType(64), offset.value.data)])
        self.values[op.memref] = self.builder.bitcast(address, llvm_type(op.memref.type))

    def element_pointer(self, buffer: SSAValue, indices: Sequence[SSAValue]) -> ir.Value:
        index_type = ir.IntType(64)
        linear: ir.Value = ir.Constant(index_type, 0)
        for index, stride in zip(indices, row_major_strides(buffer.type.get_shape()), strict=True):
            term = self.builder.mul(self.values[index], ir.Constant(index_type, stride))
            linear = self.builder.add(linear, term)
        return self.builder.gep(self.values[buffer], [linear], inbounds=True)

    def load(self, op: memref.LoadOp) -> None:
        pointer = self.element_pointer(op.memref, op.indices)
        self.values[op.res] = self.builder.load(pointer)

    def store(self, op: memref.StoreOp) -> None:
        pointer = self.element_pointer(op.memref, op.indices)
        self.builder.store(self.values[op.value], pointer)

    def checked_index(self, op: CheckedIndexOp) -> None:
        """In range: the (wrapped) index. Else 0, with the site and index in the error slots."""
        (value,) = self.operands(op)
        i64 = ir.IntType(64)
        zero = ir.Constant(i64, 0)
        index = value if value.type.width == 64 else self.builder.sext(value, i64)
        size = op.size.value.data
        offset = self.builder.sub(index, ir.Constant(i64, op.lowest()))
        extent = ir.Constant(i64, size - op.lowest())
        in_range = self.builder.icmp_unsigned("<", offset, extent)
        with self.builder.if_then(self.builder.not_(in_range), likely=False):
            first = self.builder.icmp_signed("==", self.builder.load(self.errors), zero)
            with self.builder.if_then(first):  # the first bad index is the one eager reports
                for slot, reported in enumerate((ir.Constant(i64, self.sites[op] + 1), index)):
                    address = self.builder.gep(self.errors, [ir.Constant(i64, slot)])
                    self.builder.store(reported, address)
        if op.wrap is not None:
            negative = self.builder.icmp_signed("<", index, zero)
            wrapped = self.builder.add(index, ir.Constant(i64, size))
            index = self.builder.select(negative, wrapped, index)
        self.values[op.result] = self.builder.select(in_range, index, zero)

    def call(self, op: func.CallOp) -> None:
        """A call of a kernel: its buffers, its arena (after the caller's own buffers), the
        error slots."""
        callee = self.module.get_global(op.callee.string_value())
        base = op.attributes.get(OFFSET_ATTRIBUTE)
        if base is None:
            raise CompilationError("func.call has no arena offset: run litho-memory-plan")
        arena = self.builder.gep(self.arena, [ir.Constant(ir.IntType(64), base.value.data)])
        self.builder.call(callee, [*self.operands(op), arena, self.errors])

    def for_loop(self, op: scf.ForOp) -> None:
        lower, upper, step = (self.values[v] for v in (op.lb, op.ub, op.step))
        initial = [self.values[v] for v in op.iter_args]
        preheader = self.builder.block
        header = self.builder.append_basic_block("loop.header")
        body = self.builder.append_basic_block("loop.body")
        exit_block = self.builder.append_basic_block("loop.exit")
        self.builder.branch(header)

        self.builder.position_at_end(header)
        induction = self.builder.phi(lower.type, "i")
        induction.add_incoming(lower, preheader)
        carried = []
        for value in initial:
            phi = self.builder.phi(value.type)
            phi.add_incoming(value, preheader)
            carried.append(phi)
        self.builder.cbranch(self.builder.icmp_signed("<", induction, upper), body, exit_block)

        self.builder.position_at_end(body)
        block = op.body.block
        self.values[block.args[0]] = induction
        for arg, phi in zip(block.args[1:], carried, strict=True):
            self.values[arg] = phi
        *body_ops, terminator = block.ops
        for body_op in body_ops:
            self.handler_for(body_op)(body_op)
        latch = self.builder.block
        for phi, value in zip(carried, terminator.operands, strict=True):
            phi.add_incoming(self.values[value], latch)
        induction.add_incoming(self.builder.add(induction, step), latch)
        self.builder.branch(header)

        self.builder.position_at_end(exit_block)
        for result, phi in zip(op.results, carried, strict=True):
            self.values[result] = phi


def declare_function(module: ir.Module, function: func.FuncOp) -> ir.Function:
    """`void @name(T* noalias %buffers..., i8* noalias %arena, i64* noalias %errors)`; a
    kernel is internal and never inlined, so LLVM optimizes each distinct kernel once."""
    arguments = [llvm_type(arg.type) for arg in function.body.block.args]
    arguments += [ir.IntType(8).as_pointer(), ir.IntType(64).as_pointer()]
    function_type = ir.FunctionType(ir.VoidType(), arguments)
    llvm_function = ir.Function(module, function_type, function.sym_name.data)
    for arg in llvm_function.args:
        arg.add_attribute("noalias")
    if KERNEL_ATTRIBUTE in function.attributes:
        llvm_function.linkage = "internal"
        llvm_function.attributes.add("noinline")
    return llvm_function


def translate_module(module: ModuleOp, triple: str = "", data_layout: str = "") -> ir.Module:
    """The LLVM module of every defined `func.func` in an L3 `module`."""
    llvm_module = ir.Module(name="litho")
    llvm_module.triple = triple
    llvm_module.data_layout = data_layout
    sites = {check: site for site, check in enumerate(error_sites(module))}
    functions = [op for op in module.ops if isinstance(op, func.FuncOp) and not op.is_declaration]
    for function in functions:
        declare_function(llvm_module, function)
    for function in functions:
        FunctionTranslation(llvm_module, function, sites).translate()
    return llvm_module
