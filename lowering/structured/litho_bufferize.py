"""litho-bufferize: L2 tensors to L3 buffers, with destination-passing function results.

Input: functions whose bodies hold only `tensor.empty`, `linalg.generic` on tensors and
`func.call`s of such functions (the output of convert-litho-tensor-to-linalg, or of
litho-outline-kernels). Output: the same computation on memrefs.

- Function arguments become memrefs of the same shape; each result becomes a trailing
  memref argument that the caller allocates, and the function returns nothing
  (`litho.outputs` on the function says how many arguments are outputs). The inputs
  keep their attributes (the weight marks); the outputs have none.
- `tensor.empty` becomes `memref.alloc`; a generic writes into its init's buffer, which
  is safe because each init has no use besides that generic (a copy is made otherwise).
- `tensor.extract` in a generic's body (a gather) becomes `memref.load` from the
  tensor's buffer.
- A buffer that is returned is replaced by the caller's output argument, so results are
  written in place; a result that is an argument, or returned twice, is copied.
- A `func.call` passes buffers: the caller allocates one for each result and passes it
  after the arguments, as the callee's own bufferization expects.

```mlir
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32>
// becomes
func.func @f(%x: memref<4xf32>, %result0: memref<4xf32>) attributes {litho.outputs = 1 : i64}
```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from litho.dialects.attributes import OUTPUT_COUNT_ATTRIBUTE
from litho.lowering.common.functions import defined_functions
from litho.lowering.common.legality import check_no_ops_of_dialect
from litho.lowering.common.parameters import argument_attributes, set_argument_attributes
from litho.lowering.common.tolerance import EXACT, Tolerance
from xdsl.context import Context
from xdsl.dialects import func, memref, tensor
from xdsl.dialects.builtin import (
    AffineMapAttr,
    IntegerAttr,
    MemRefType,
    ModuleOp,
    TensorType,
    i64,
)
from xdsl.dialects.linalg import attrs as linalg_attrs
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.ir.affine import AffineMap
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.utils.exceptions import PassFailedException


def memref_type_of(tensor_type: TensorType) -> MemRefType:
    return MemRefType(tensor_type.get_element_type(), tensor_type.get_shape())


def copy_generic(source: SSAValue, destination: SSAValue) -> linalg.GenericOp:
    """A copy as a parallel `linalg.generic`: of memrefs, or of tensors (with a result)."""
    rank = destination.type.get_num_dims()
    identity = AffineMapAttr(AffineMap.identity(rank))
    block = Block(arg_types=[source.type.get_element_type()] * 2)
    block.add_op(linalg.YieldOp(block.args[0]))
    parallel = [linalg_attrs.IteratorTypeAttr.parallel()] * rank
    results = [destination.type] if isinstance(destination.type, TensorType) else []
    return linalg.GenericOp(
        [source], [destination], Region(block), [identity, identity], parallel, results
    )


@dataclass
class _FunctionBufferizer:
    function: func.FuncOp
    buffers: dict[SSAValue, SSAValue]
    replaced: list[Operation]

    def run(self) -> None:
        block = self.function.body.block
        output_count = len(self.function.function_type.outputs.data)
        input_attributes = argument_attributes(self.function)
        for arg in list(block.args):
            if not isinstance(arg.type, TensorType):
                raise PassFailedException(
                    f"litho-bufferize: argument {arg.index} of @{self.function.sym_name.data} "
                    f"is a {arg.type}; it bufferizes functions of tensors only"
                )
            self.buffers[arg] = block.insert_arg(memref_type_of(arg.type), len(block.args))
        for op in list(block.ops):
            self.bufferize(op)
        for op in reversed(self.replaced):
            Rewriter.erase_op(op)
        for arg in list(block.args):
            if isinstance(arg.type, TensorType):
                block.erase_arg(arg)
        set_argument_attributes(self.function, input_attributes + [{}] * output_count)
        self.function.attributes[OUTPUT_COUNT_ATTRIBUTE] = IntegerAttr(output_count, i64)

    def bufferize(self, op: Operation) -> None:
        match op:
            case tensor.EmptyOp():
                alloc = memref.AllocOp([], [], memref_type_of(op.tensor.type))
                Rewriter.insert_op(alloc, InsertPoint.before(op))
                self.buffers[op.tensor] = alloc.memref
                self.replaced.append(op)
            case linalg.GenericOp():
                self.bufferize_generic(op)
            case func.ReturnOp():
                self.bufferize_return(op)
            case func.CallOp():
                self.bufferize_call(op)
            case _:
                raise PassFailedException(
                    f"litho-bufferize: cannot bufferize {op.name}; it expects only "
                    "tensor.empty, linalg.generic and func.call (run "
                    "convert-litho-tensor-to-linalg)"
                )

    def bufferize_call(self, op: func.CallOp) -> None:
        """The callee (bufferized too) writes its results into buffers the caller makes."""
        results = [memref.AllocOp([], [], memref_type_of(result.type)) for result in op.res]
        call = func.CallOp(op.callee, [self.buffers[value] for value in op.arguments]
                           + [alloc.memref for alloc in results], [])
        Rewriter.insert_op((*results, call), InsertPoint.before(op))
        for result, alloc in zip(op.res, results, strict=True):
            self.buffers[result] = alloc.memref
        self.replaced.append(op)

    def bufferize_generic(self, op: linalg.GenericOp) -> None:
        inputs = [self.buffers[value] for value in op.inputs]
        outputs = []
        for init in op.outputs:
            buffer = self.buffers[init]
            if not init.has_one_use():
                fresh = memref.AllocOp([], [], buffer.type)
                copy = copy_generic(buffer, fresh.memref)
                Rewriter.insert_op((fresh, copy), InsertPoint.before(op))
                buffer = fresh.memref
            outputs.append(buffer)
        body = Rewriter.move_region_contents_to_new_regions(op.body)
        for extract in [inner for inner in body.walk() if isinstance(inner, tensor.ExtractOp)]:
            load = memref.LoadOp.get(self.buffers[extract.tensor], extract.indices)
            Rewriter.replace_op(extract, load)
        new_op = linalg.GenericOp(
            inputs, outputs, body, op.indexing_maps, op.iterator_types
        )
        new_op.attributes.update(op.attributes)
        Rewriter.insert_op(new_op, InsertPoint.before(op))
        for result, buffer in zip(op.res, outputs, strict=True):
            self.buffers[result] = buffer
        self.replaced.append(op)

    def bufferize_return(self, op: func.ReturnOp) -> None:
        block = self.function.body.block
        written_to: dict[SSAValue, SSAValue] = {}
        for value in op.arguments:
            buffer = self.buffers[value]
            destination = block.insert_arg(buffer.type, len(block.args))
            if isinstance(buffer.owner, memref.AllocOp) and buffer not in written_to:
                alloc = buffer.owner
                buffer.replace_all_uses_with(destination)
                Rewriter.erase_op(alloc)
                written_to[buffer] = destination
                continue
            source = written_to.get(buffer, buffer)
            Rewriter.insert_op(copy_generic(source, destination), InsertPoint.before(op))
        Rewriter.insert_op(func.ReturnOp(), InsertPoint.before(op))
        self.replaced.append(op)


@dataclass(frozen=True)
class LithoBufferizePass(ModulePass):
    """Turn tensor-level functions into buffer-level ones (L2 -> L3)."""

    name = "litho-bufferize"
    tolerance: ClassVar[Tolerance] = EXACT

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for function in defined_functions(op):
            _FunctionBufferizer(function, {}, []).run()
        check_no_ops_of_dialect(op, "tensor", self.name)
