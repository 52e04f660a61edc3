"""litho-outline-kernels: each kernel becomes a function of its own, identical ones shared.

Input: L2 after fusion (the entry function holds `tensor.empty` and `linalg.generic` on
tensors). Output: the entry function calls one private `func.func` per kernel, and holds
nothing else but the `tensor.empty`s its kernels read. A kernel is one generic (after
litho-fuse-elementwise, a root with its fused producers) together with the generics that
fill its outputs' initial values (a reduction's identity), so its function creates
every buffer it writes and returns them: a kernel never writes a tensor of its caller.
An init whose value the body never reads is only a destination: the kernel makes a fresh
`tensor.empty` for it (an empty has no contents, so any number of kernels may each make
their own). An init that is a tensor computed elsewhere and read by the body (a scatter's
destination) is copied into a fresh one inside the kernel.

Kernels whose functions are the same up to their name (the repeated layers of a
transformer) are one function, called from each place; everything after works per
function, so compile time grows with the number of distinct kernels, not with depth.
Each kernel function is marked `litho.kernel` and named after its body's main ops.
Outlining computes nothing differently, so the pass is exact.

```mlir
%r = linalg.generic ... ins(%x) outs(%init) { exp }
// becomes
%r = func.call @kernel0_exp(%x) : (tensor<4xf32>) -> tensor<4xf32>
func.func private @kernel0_exp(%x: tensor<4xf32>) -> tensor<4xf32>
    attributes {litho.kernel} { ... }
```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from litho.dialects.attributes import KERNEL_ATTRIBUTE
from litho.lowering.common.functions import captured_values, defined_functions
from litho.lowering.common.tolerance import EXACT, Tolerance
from litho.lowering.structured.litho_bufferize import copy_generic
from xdsl.context import Context
from xdsl.dialects import func, tensor
from xdsl.dialects.builtin import ModuleOp, StringAttr, UnitAttr
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

_NAMED_OPS = 3
"""How many of a body's ops a kernel's name lists."""


def _is_fill(op: Operation | None) -> bool:
    """A generic with no inputs whose body reads nothing: a splat of a constant."""
    return (isinstance(op, linalg.GenericOp) and not op.inputs
            and not any(arg.uses for arg in op.body.block.args))


def _owned_fill(init: SSAValue) -> linalg.GenericOp | None:
    """The fill that makes `init`, if it has no other user: the kernel then owns it."""
    owner = init.owner
    if init.has_one_use() and _is_fill(owner) and isinstance(owner.outputs[0].owner,
                                                             tensor.EmptyOp):
        return owner
    return None


def _needs_copy(root: linalg.GenericOp, position: int) -> bool:
    """Whether the kernel must copy the initial value of output `position`: a tensor
    computed elsewhere (not an empty, not an owned fill) that the body reads, or one that
    is also an input."""
    init = root.outputs[position]
    if init in root.inputs:
        return True
    return (not isinstance(init.owner, tensor.EmptyOp) and _owned_fill(init) is None
            and bool(root.body.block.args[len(root.inputs) + position].uses))


def kernel_name(root: linalg.GenericOp) -> str:
    """A readable stem: the first ops of the root's body; `copy` or `fill` if it only
    moves data or writes a constant."""
    names = [op.name.split(".")[-1] for op in root.body.block.ops
             if not isinstance(op, linalg.YieldOp) and op.name != "arith.constant"]
    return "_".join(names[:_NAMED_OPS]) or ("copy" if root.inputs else "fill")


@dataclass
class _Outliner:
    module: ModuleOp
    kernels: dict[str, func.FuncOp]

    def outline(self, root: linalg.GenericOp) -> None:
        made_inside = {init for position, init in enumerate(root.outputs)
                       if not _needs_copy(root, position)}
        arguments = [value for value in captured_values([root]) if value not in made_inside]
        block = Block(arg_types=[value.type for value in arguments])
        values: dict[SSAValue, SSAValue] = dict(zip(arguments, block.args, strict=True))
        fills = []
        for position, init in enumerate(root.outputs):
            empty = tensor.EmptyOp([], init.type)
            block.add_op(empty)
            initial = None
            if (fill := _owned_fill(init)) is not None:
                fills.append(fill)
                initial = fill.clone(value_mapper={fill.outputs[0]: empty.tensor})
            elif _needs_copy(root, position):
                initial = copy_generic(values[init], empty.tensor)
            if initial is not None:
                block.add_op(initial)
            values[init] = empty.tensor if initial is None else initial.results[0]
        block.add_op(root.clone(value_mapper=values))
        block.add_op(func.ReturnOp(*(values[result] for result in root.results)))
        function = func.FuncOp(
            "kernel", ([value.type for value in arguments], list(root.result_types)),
            Region(block), visibility="private",
        )
        function.attributes[KERNEL_ATTRIBUTE] = UnitAttr()
        for inner in function.walk():  # names from the graph would make layers differ
            for value in (*inner.results, *(arg for region in inner.regions
                                             for block in region.blocks for arg in block.args)):
                value.name_hint = None
        callee = self.shared(function, kernel_name(root))
        call = func.CallOp(callee.sym_name.data, arguments, list(root.result_types))
        Rewriter.insert_op(call, InsertPoint.before(root))
        for result, value in zip(root.results, call.results, strict=True):
            result.replace_all_uses_with(value)
        inits = set(root.outputs)
        Rewriter.erase_op(root)
        for fill in fills:
            inits.add(fill.outputs[0])
            Rewriter.erase_op(fill)
        for init in inits:
            if isinstance(init.owner, tensor.EmptyOp) and not init.uses:
                Rewriter.erase_op(init.owner)

    def shared(self, function: func.FuncOp, stem: str) -> func.FuncOp:
        """`function` under a new name, or the kernel identical to it."""
        key = str(function)
        existing = self.kernels.get(key)
        if existing is not None:
            return existing
        function.sym_name = StringAttr(f"kernel{len(self.kernels)}_{stem}")
        self.module.body.block.add_op(function)
        self.kernels[key] = function
        return function


@dataclass(frozen=True)
class LithoOutlineKernelsPass(ModulePass):
    """Outline every kernel of the entry function into a shared private function."""

    name = "litho-outline-kernels"
    tolerance: ClassVar[Tolerance] = EXACT

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        outliner = _Outliner(op, {})
        for function in defined_functions(op):
            for root in [inner for inner in function.body.block.ops
                         if isinstance(inner, linalg.GenericOp)
                         and not _fill_of_a_kernel(inner)]:
                outliner.outline(root)


def _fill_of_a_kernel(op: linalg.GenericOp) -> bool:
    """Whether `op` is a fill that the kernel of its one user will own."""
    if not op.results or not op.results[0].has_one_use():
        return False
    user = op.results[0].get_user_of_unique_use()
    return (isinstance(user, linalg.GenericOp) and op.results[0] in user.outputs
            and _owned_fill(op.results[0]) is op)
