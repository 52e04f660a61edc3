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
from litho.lowering.common.functions import captured_values, defined_functions
from litho.lowering.targets.cpu.llvm_vectors import (
    VectorTranslation,
    fast_math,
    intrinsic_function,
    runtime_function,
)
from llvmlite import ir
from xdsl.dialects import arith, func, math, memref, scf, vector
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    Float32Type,
    Float64Type,
    IndexType,
    IntegerType,
    MemRefType,
    ModuleOp,
    VectorType,
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
        case VectorType():
            (lanes,) = attribute.get_shape()
            return ir.VectorType(llvm_type(attribute.get_element_type()), lanes)
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
    arith.DivUIOp: "udiv",
    arith.RemUIOp: "urem",
    arith.RemSIOp: "srem",
    arith.AndIOp: "and_",
    arith.OrIOp: "or_",
    arith.XOrIOp: "xor",
    arith.ShLIOp: "shl",
    arith.ShRSIOp: "ashr",
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
    math.FloorOp: "llvm.floor",
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
    "ugt": (False, ">"),
    "ult": (False, "<"),
    "uno": (False, "uno"),
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
    arith.BitcastOp: "bitcast",
}


class FunctionTranslation(VectorTranslation):
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
            vector.BroadcastOp: self.broadcast,
            vector.FMAOp: self.fma,
            vector.CreateMaskOp: self.create_mask,
            vector.MaskedLoadOp: self.masked_load,
            vector.MaskedStoreOp: self.masked_store,
            vector.ReductionOp: self.reduction,
            vector.ExtractOp: self.extract,
            scf.ForOp: self.for_loop,
            func.CallOp: self.call,
            scf.ParallelOp: self.parallel_loop,
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
        if isinstance(op.value, DenseIntOrFPElementsAttr):
            value = list(op.value.get_values())
        else:
            value = op.value.value.data
        self.values[op.result] = ir.Constant(llvm_type(op.result.type), value)

    def binary(self, op: Operation) -> None:
        if type(op) in _FLOAT_BINARY:
            build = getattr(self.builder, _FLOAT_BINARY[type(op)])
            self.values[op.results[0]] = build(*self.operands(op), flags=fast_math(op))
        else:
            build = getattr(self.builder, _INTEGER_BINARY[type(op)])
            self.values[op.results[0]] = build(*self.operands(op))

    def negf(self, op: arith.NegfOp) -> None:
        self.values[op.result] = self.builder.fneg(self.values[op.operand])

    def intrinsic(self, op: Operation) -> None:
        operands = self.operands(op)
        intrinsic = intrinsic_function(self.module, _FLOAT_INTRINSICS[type(op)], operands[0].type,
                               len(operands))
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
        root = self.builder.call(intrinsic_function(self.module, "llvm.sqrt", operand.type, 1),
                                 [operand])
        self.values[op.result] = self.builder.fdiv(_constant_like(operand.type, 1.0), root)

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
        carried = self.loop(lower, upper, step, op.body.block,
                            [self.values[v] for v in op.iter_args])
        for result, phi in zip(op.results, carried, strict=True):
            self.values[result] = phi

    def loop(self, lower: ir.Value, upper: ir.Value, step: ir.Value, block: Block,
             initial: Sequence[ir.Value]) -> list[ir.Value]:
        """A counted loop running `block` (its first argument the induction variable, the
        rest carried values, its terminator yielding them); returns the final values."""
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
        return carried

    def parallel_loop(self, op: scf.ParallelOp) -> None:
        """The loop's iterations split in equal chunks over an OpenMP team.

        The body becomes an internal function of one `i8*` (a struct of every value it
        uses from outside, the arena and the error slots); `GOMP_parallel` runs it on each
        thread of the team, and each thread runs its chunk of the iterations.
        """
        # the loop's own operands (its bounds) come first
        captured = [value for value in captured_values([op])
                    if not isinstance(self.values[value], ir.Constant)]
        carried = [self.values[value] for value in captured] + [self.arena, self.errors]
        frame_type = ir.LiteralStructType([value.type for value in carried])
        frame = self.builder.alloca(frame_type)
        i32 = ir.IntType(32)
        for position, value in enumerate(carried):
            self.builder.store(value, self.builder.gep(frame, [ir.Constant(i32, 0),
                                                               ir.Constant(i32, position)]))
        worker = _ParallelBody(self, op, captured, frame_type).translate()
        gomp_parallel = runtime_function(self.module, "GOMP_parallel", ir.VoidType(), [
            worker.type, ir.IntType(8).as_pointer(), i32, i32])
        opaque = self.builder.bitcast(frame, ir.IntType(8).as_pointer())
        self.builder.call(gomp_parallel, [worker, opaque, ir.Constant(i32, 0),
                                          ir.Constant(i32, 0)])


class _ParallelBody(FunctionTranslation):
    """What each OpenMP thread runs: a worker that takes the frame of captured values and
    its thread number, and a chunk function that runs iterations [first, last).

    The chunk function takes the buffers as `noalias` arguments again (LLVM keeps that as
    alias scopes when it inlines it into the worker), so its loops vectorize as the
    kernel's own would.
    """

    def __init__(self, parent: FunctionTranslation, op: scf.ParallelOp,
                 captured: list[SSAValue], frame_type: ir.LiteralStructType):
        super().__init__(parent.module, parent.function, parent.sites)
        self.op, self.captured, self.frame_type = op, captured, frame_type
        # constants stay constants (a known step is what lets LLVM vectorize a loop)
        self.values = {value: known for value, known in parent.values.items()
                       if isinstance(known, ir.Constant)}
        self.name = f"{parent.builder.function.name}.parallel{len(parent.module.globals)}"

    def translate(self) -> ir.Function:
        i64 = ir.IntType(64)
        chunk_type = ir.FunctionType(ir.VoidType(), [i64, i64, *self.frame_type.elements])
        chunk = ir.Function(self.module, chunk_type, f"{self.name}.chunk")
        chunk.linkage = "internal"
        for arg in chunk.args[2:]:
            if isinstance(arg.type, ir.PointerType):
                arg.add_attribute("noalias")
        self.builder = ir.IRBuilder(chunk.append_basic_block("entry"))
        first, last, *values = chunk.args
        self.values.update(zip(self.captured, values[:-2], strict=True))
        self.arena, self.errors = values[-2:]
        self.loop(first, last, self.values[self.op.step[0]], self.op.body.block, [])
        self.builder.ret_void()
        return self.worker(chunk)

    def worker(self, chunk: ir.Function) -> ir.Function:
        """`void worker(i8* frame)`: this thread's equal share of the iterations."""
        i8_pointer, i32, i64 = ir.IntType(8).as_pointer(), ir.IntType(32), ir.IntType(64)
        worker = ir.Function(self.module, ir.FunctionType(ir.VoidType(), [i8_pointer]),
                             self.name)
        worker.linkage = "internal"
        builder = self.builder = ir.IRBuilder(worker.append_basic_block("entry"))
        frame = builder.bitcast(worker.args[0], self.frame_type.as_pointer())
        loaded = [builder.load(builder.gep(frame, [ir.Constant(i32, 0), ir.Constant(i32, i)]))
                  for i in range(len(self.frame_type.elements))]
        known = {**self.values, **dict(zip(self.captured, loaded[:-2], strict=True))}
        lower, upper, step = (known[value] for value in
                              (*self.op.lowerBound, *self.op.upperBound, *self.op.step))
        thread = builder.sext(self._call_runtime("omp_get_thread_num"), i64)
        threads = builder.sext(self._call_runtime("omp_get_num_threads"), i64)
        one = ir.Constant(i64, 1)
        trips = builder.sdiv(builder.sub(builder.add(upper, step), builder.add(lower, one)),
                             step)
        share = builder.sdiv(builder.sub(builder.add(trips, threads), one), threads)
        first = builder.add(lower, builder.mul(builder.mul(thread, share), step))
        end = builder.add(first, builder.mul(share, step))
        last = builder.select(builder.icmp_signed("<", end, upper), end, upper)
        builder.call(chunk, [first, last, *loaded])
        builder.ret_void()
        return worker

    def _call_runtime(self, name: str) -> ir.Value:
        function = runtime_function(self.module, name, ir.IntType(32), [])
        return self.builder.call(function, [])






def _constant_like(value_type: ir.Type, value: float) -> ir.Constant:
    """`value` as a scalar of `value_type`, or in every lane of a vector."""
    if isinstance(value_type, ir.VectorType):
        return ir.Constant(value_type, [value] * value_type.count)
    return ir.Constant(value_type, value)






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
    functions = defined_functions(module)
    for function in functions:
        declare_function(llvm_module, function)
    for function in functions:
        FunctionTranslation(llvm_module, function, sites).translate()
    return llvm_module
