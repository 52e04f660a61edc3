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

Kernels whose functions are the same up to their name and source lines (the repeated
layers of a transformer) are one function, which keeps the first one's lines, called from
each place; everything after works per function, so compile time grows with the number
of distinct kernels, not with depth. Each kernel function is marked `litho.kernel` and
named after its body's main ops.
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

from litho.dialects.attributes import (
    ATTENTION_ATTRIBUTE,
    ATTENTION_ROLES,
    KERNEL_ATTRIBUTE,
    LOCATION_ATTRIBUTE,
)
from litho.lowering.common.elements import reads_own_element
from litho.lowering.common.functions import captured_values, defined_functions
from litho.lowering.common.tolerance import EXACT, Tolerance
from litho.lowering.structured.litho_bufferize import copy_generic
from xdsl.context import Context
from xdsl.dialects import func, tensor
from xdsl.dialects.builtin import ModuleOp, StringAttr, UnitAttr
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.ir.affine import AffineDimExpr
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


def kernel_name(members: list[linalg.GenericOp]) -> str:
    """A readable stem: the first ops of the members' bodies; `copy` or `fill` if they
    only move data or write a constant."""
    names = [op.name.split(".")[-1] for member in members for op in member.body.block.ops
             if not isinstance(op, linalg.YieldOp) and op.name != "arith.constant"]
    return "_".join(names[:_NAMED_OPS]) or ("copy" if members[0].inputs else "fill")


def _kernel_body(members: list[linalg.GenericOp], fills: list[linalg.GenericOp],
                 arguments: list[SSAValue], results: list[SSAValue]) -> Block:
    """The body of the kernel of `members` and the `fills` it owns: its arguments are
    `arguments`; it makes every tensor the members write and returns `results`."""
    block = Block(arg_types=[value.type for value in arguments])
    values: dict[SSAValue, SSAValue] = dict(zip(arguments, block.args, strict=True))
    # the members' initial values first (fills depend on nothing), so that after
    # lowering, the loops of consecutive members stand next to each other
    for fill in fills:
        empty = tensor.EmptyOp([], fill.outputs[0].type)
        block.add_ops([empty, clone := fill.clone(value_mapper={
            fill.outputs[0]: empty.tensor})])
        values[fill.results[0]] = clone.results[0]
    for member in members:
        mapper = dict(values)  # an init's replacement is this member's alone
        for position, init in enumerate(member.outputs):
            if _owned_fill(init) is not None:
                continue
            empty = tensor.EmptyOp([], init.type)
            block.add_op(empty)
            mapper[init] = empty.tensor
            if _needs_copy(member, position):
                copy = copy_generic(values[init], empty.tensor)
                block.add_op(copy)
                mapper[init] = copy.results[0]
        clone = member.clone(value_mapper=mapper)
        block.add_op(clone)
        values.update(zip(member.results, clone.results, strict=True))
    block.add_op(func.ReturnOp(*(values[result] for result in results)))
    return block


@dataclass
class _Outliner:
    module: ModuleOp
    kernels: dict[str, func.FuncOp]

    def outline(self, members: list[linalg.GenericOp]) -> None:
        """One kernel function for `members` (consecutive generics in their block), called
        in place of the last; it returns the members' results used outside it."""
        read = {value for member in members for value in member.inputs}
        made_inside = {init for member in members
                       for position, init in enumerate(member.outputs)
                       if not _needs_copy(member, position) and init not in read}
        arguments = [value for value in captured_values(members) if value not in made_inside]
        results = [result for member in members for result in member.results
                   if any(use.operation not in members for use in result.uses)]
        fills = [fill for member in members for init in member.outputs
                 if (fill := _owned_fill(init)) is not None]
        block = _kernel_body(members, fills, arguments, results)
        result_types = [result.type for result in results]
        function = func.FuncOp("kernel", ([value.type for value in arguments], result_types),
                               Region(block), visibility="private")
        function.attributes[KERNEL_ATTRIBUTE] = UnitAttr()
        for inner in function.walk():  # names from the graph would make layers differ
            for value in (*inner.results, *(arg for region in inner.regions
                                             for block in region.blocks for arg in block.args)):
                value.name_hint = None
        callee = self.shared(function, kernel_name(members))
        call = func.CallOp(callee.sym_name.data, arguments, result_types)
        Rewriter.insert_op(call, InsertPoint.before(members[-1]))
        for result, value in zip(results, call.results, strict=True):
            result.replace_all_uses_with(value)
        inits = {init for member in members for init in member.outputs}
        for member in reversed(members):
            Rewriter.erase_op(member)
        for fill in fills:
            inits.add(fill.outputs[0])
            Rewriter.erase_op(fill)
        for init in inits:
            if isinstance(init.owner, tensor.EmptyOp) and not init.uses:
                Rewriter.erase_op(init.owner)

    def shared(self, function: func.FuncOp, stem: str) -> func.FuncOp:
        """`function` under a new name, or the kernel identical to it."""
        key = _text_without_locations(function)
        existing = self.kernels.get(key)
        if existing is not None:
            return existing
        function.sym_name = StringAttr(f"kernel{len(self.kernels)}_{stem}")
        self.module.body.block.add_op(function)
        self.kernels[key] = function
        return function


def _text_without_locations(function: func.FuncOp) -> str:
    """`function` as text, without the source lines of its ops (the same kernel comes
    from each layer's own lines)."""
    located = [(op, op.attributes.pop(LOCATION_ATTRIBUTE)) for op in function.walk()
               if LOCATION_ATTRIBUTE in op.attributes]
    text = str(function)
    for op, location in located:
        op.attributes[LOCATION_ATTRIBUTE] = location
    return text


@dataclass(frozen=True)
class LithoOutlineKernelsPass(ModulePass):
    """Outline every kernel of the entry function into a shared private function."""

    name = "litho-outline-kernels"
    tolerance: ClassVar[Tolerance] = EXACT

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        outliner = _Outliner(op, {})
        for function in defined_functions(op):
            _sink_contractions(function.body.block)
            for members in row_kernels(function.body.block):
                outliner.outline(members)


def _sink_contractions(block: Block) -> None:
    """Move each contraction of `block` whose result only its epilogue reads (with the fill
    of its output it owns) down to just before that epilogue, so that they are
    consecutive and form one kernel: ops between them (a batch norm's weights, computed
    after a convolution) do not read the result, and tensors have no other effects."""
    for op in list(block.ops):
        if not isinstance(op, linalg.GenericOp) or len(op.results) != 1:
            continue
        users = {use.operation for use in op.results[0].uses}
        user = users.pop() if len(users) == 1 else None
        if not isinstance(user, linalg.GenericOp) or user.parent_block() is not block \
                or user is op.next_op or not _is_epilogue([op], user):
            continue
        fill = _owned_fill(op.outputs[0])
        for moved in (fill, op):
            if moved is not None:
                moved.detach()
                Rewriter.insert_op(moved, InsertPoint.before(user))


def _loop_extents(op: linalg.GenericOp) -> list[int]:
    """Each loop's trip count, from the first operand dimension it indexes alone."""
    extents: dict[int, int] = {}
    for operand, map_ in zip(op.operands, op.indexing_maps.data, strict=True):
        for size, expr in zip(operand.type.get_shape(), map_.data.results, strict=True):
            if isinstance(expr, AffineDimExpr):
                extents.setdefault(expr.position, size)
    return [extents.get(dim, 0) for dim in range(len(op.iterator_types))]


def row_loops(op: linalg.GenericOp) -> tuple[int, ...] | None:
    """The trip counts of the loops a row kernel shares: `op`'s leading loops up to the
    first that runs more than once, when they are parallel and index every output first,
    in order (each iteration writes its own rows). None if it has no such loops, or is a
    contraction (a reduction that reuses an input across a parallel loop, as a matmul
    does): its loops are its own."""
    extents = _loop_extents(op)
    kinds = [str(kind.data) for kind in op.iterator_types]
    count = next((dim + 1 for dim, extent in enumerate(extents) if extent > 1), 0)
    if count == 0 or kinds[:count] != ["parallel"] * count:
        return None
    if is_contraction(op):
        return None
    leading = [AffineDimExpr(dim) for dim in range(count)]
    if any(list(map_.data.results[:count]) != leading
           for map_ in op.indexing_maps.data[len(op.inputs):]):
        return None
    return tuple(extents[:count])


def is_contraction(op: linalg.GenericOp) -> bool:
    """Whether `op` is a reduction that reuses an input across a parallel loop (a matmul,
    a convolution)."""
    kinds = [str(kind.data) for kind in op.iterator_types]
    parallel = {dim for dim, kind in enumerate(kinds) if kind == "parallel"}
    return "reduction" in kinds and any(not parallel <= map_.data.used_dims()
                                        for map_ in op.indexing_maps.data[: len(op.inputs)])


def _joins(members: list[linalg.GenericOp], op: linalg.GenericOp) -> bool:
    """Whether `op` extends the row kernel of `members`: same row loops, and it reads
    some of their results, each by those loops first."""
    rows = row_loops(op)
    if rows is None or rows != row_loops(members[0]):
        return False
    produced = {result for member in members for result in member.results}
    leading = [AffineDimExpr(dim) for dim in range(len(rows))]
    reads = [map_.data for value, map_ in zip(op.inputs, op.indexing_maps.data, strict=False)
             if value in produced]
    return bool(reads) and all(list(map_.results[: len(rows)]) == leading for map_ in reads)


def _is_epilogue(members: list[linalg.GenericOp], op: linalg.GenericOp) -> bool:
    """Whether `op` is the epilogue of the contraction that `members` is alone (a bias, an
    activation, a residual add): an elementwise generic that is the only reader of the
    contraction's result, and reads it at the element it writes."""
    (contraction, *others) = members
    kinds = {str(kind.data) for kind in op.iterator_types}
    if others or len(contraction.results) != 1 or not is_contraction(contraction) \
            or kinds != {"parallel"}:
        return False
    result = contraction.results[0]
    reads = [position for position, value in enumerate(op.inputs) if value == result]
    return (bool(reads) and all(use.operation is op for use in result.uses)
            and all(reads_own_element(op, position) for position in reads))


def _attention_role(op: linalg.GenericOp) -> int | None:
    """The position in `ATTENTION_ROLES` of `op`'s role, if it has one."""
    role = op.attributes.get(ATTENTION_ATTRIBUTE)
    return ATTENTION_ROLES.index(role.data) if isinstance(role, StringAttr) else None


def _continues_attention(members: list[linalg.GenericOp], op: linalg.GenericOp) -> bool:
    """Whether `op` has the role that follows the last member's in one attention."""
    last, role = _attention_role(members[-1]), _attention_role(op)
    return last is not None and role == last + 1


def row_kernels(block: Block) -> list[list[linalg.GenericOp]]:
    """The kernels of `block`'s generics: consecutive generics that share their row loops
    and read each other's rows form one (a softmax, a norm: a reduction with its
    prologue and epilogue), as do a contraction and the elementwise generic just after it
    that reads its result (its epilogue, which litho-gemm applies to C's tiles), and the
    generics of one attention (marked with their roles in order); every
    other generic is a kernel alone. Empties and the fills that kernels own may stand
    between members."""
    kernels: list[list[linalg.GenericOp]] = []
    for op in block.ops:
        if isinstance(op, tensor.EmptyOp) or (isinstance(op, linalg.GenericOp)
                                               and _fill_of_a_kernel(op)):
            continue
        if not isinstance(op, linalg.GenericOp):
            kernels.append([])
        elif kernels and kernels[-1] and (_joins(kernels[-1], op)
                                          or _is_epilogue(kernels[-1], op)
                                          or _continues_attention(kernels[-1], op)):
            kernels[-1].append(op)
        else:
            kernels.append([op])
    return [kernel for kernel in kernels if kernel]


def _fill_of_a_kernel(op: linalg.GenericOp) -> bool:
    """Whether `op` is a fill that the kernel of its one user will own."""
    if not op.results or not op.results[0].has_one_use():
        return False
    user = op.results[0].get_user_of_unique_use()
    return (isinstance(user, linalg.GenericOp) and op.results[0] in user.outputs
            and _owned_fill(op.results[0]) is op)
