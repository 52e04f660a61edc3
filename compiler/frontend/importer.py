"""Import of a core-ATen fx graph into `litho_tensor` (L0 -> L1).

The importer dispatches on the node kind; ATen ops go through a registry filled with
`@register_importer(aten.op.overload, ...)`, one small function per op. Each function
gets the node and an `ImportContext` and returns the value (or tuple of values) the node
produces. Every op it emits carries `litho.loc`, the node's name and source line.

Types come from each node's `meta["val"]` (the fake tensor torch.export recorded), so
dtype promotion follows torch: operands are cast to the dtype torch computed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.fx
from litho.compiler.errors import LithoError, UnsupportedOpsError, is_internal_file
from litho.dialects import tensor as lt
from litho.dialects.attributes import LOCATION_ATTRIBUTE
from litho.dialects.types import ELEMENT_TYPES
from litho.lowering.common.parameters import set_parameter_names
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    StringAttr,
    TensorType,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue

_DTYPES: dict[torch.dtype, Attribute] = {
    getattr(torch, row.torch_name): row.attribute for row in ELEMENT_TYPES
}

# a placeholder's meta entry naming the model weight it is (capture writes it)
WEIGHT_META = "litho_weight"

Importer = Callable[["ImportContext", torch.fx.Node], Any]
IMPORTERS: dict[Any, Importer] = {}
# ops whose importers skip operands with zero elements (cat: they add nothing)
TAKES_EMPTY_OPERANDS: set[Any] = set()


def register_importer(*targets: Any) -> Callable[[Importer], Importer]:
    """Register the decorated function as the importer of each ATen overload in `targets`."""

    def register(function: Importer) -> Importer:
        for target in targets:
            IMPORTERS[target] = function
        return function

    return register


def element_type_of(dtype: torch.dtype, where: str) -> Attribute:
    """The xDSL element type for a torch dtype; LithoError naming `where` if unsupported."""
    if dtype not in _DTYPES:
        supported = ", ".join(str(d) for d in _DTYPES)
        raise LithoError(f"{where}: dtype {dtype} is not supported (litho supports {supported})")
    return _DTYPES[dtype]


def tensor_type_of(value: torch.Tensor, where: str) -> TensorType:
    return TensorType(element_type_of(value.dtype, where), tuple(int(s) for s in value.shape))


def source_location(node: torch.fx.Node) -> str:
    """`file:line` of the user code that made `node`, or '<unknown>'.

    The innermost frame outside torch's and litho's own code is preferred, so a
    `nn.Linear` node points at the model line that called it.
    """
    frames = re.findall(r'File "([^"]+)", line (\d+)', node.meta.get("stack_trace") or "")
    if not frames:
        return "<unknown>"
    user_frames = [frame for frame in frames if not is_internal_file(frame[0])]
    path, line = (user_frames or frames)[-1]
    return f"{path}:{line}"


def describe(node: torch.fx.Node) -> str:
    """A node as error messages name it: target, node name and source line."""
    return f"{target_name(node)} (node {node.name}) at {source_location(node)}"


def target_name(node: torch.fx.Node) -> str:
    target = node.target
    return f"aten.{target._opname}.{target._overloadname}" if hasattr(
        target, "_overloadname"
    ) else str(getattr(target, "__name__", target))


@dataclass
class ImportContext:
    """The function being built and the value each fx node has produced so far."""

    block: Block
    values: dict[torch.fx.Node, Any] = field(default_factory=dict)
    node: torch.fx.Node | None = None

    def emit(self, op: Operation) -> Operation:
        """Append `op` to the function, tagged with the current node's location."""
        if self.node is not None:
            location = f"{self.node.name} @ {source_location(self.node)}"
            op.attributes[LOCATION_ATTRIBUTE] = StringAttr(location)
        self.block.add_op(op)
        return op

    def result_type(self, node: torch.fx.Node) -> TensorType:
        return tensor_type_of(node.meta["val"], describe(node))

    def cast(self, value: SSAValue, element_type: Attribute) -> SSAValue:
        """`value` converted to `element_type` (no op if it already has it)."""
        if value.type.get_element_type() == element_type:
            return value
        target = TensorType(element_type, value.type.get_shape())
        return self.emit(lt.CastOp(value, target)).result

    def operand(self, argument: Any, element_type: Attribute) -> SSAValue:
        """An fx argument (node or Python scalar) as a tensor of `element_type`."""
        if isinstance(argument, torch.fx.Node):
            return self.cast(self.values[argument], element_type)
        if isinstance(argument, bool | int | float):
            constant = lt.ConstantOp.splat(argument, TensorType(element_type, []))
            return self.emit(constant).result
        raise LithoError(f"{describe(self.node)}: unsupported argument {argument!r}")

    def operands(self, arguments: Sequence[Any], element_type: Attribute) -> list[SSAValue]:
        return [self.operand(argument, element_type) for argument in arguments]


def node_argument(node: torch.fx.Node, index: int, name: str, default: Any = None) -> Any:
    """The argument at `index` of `node`'s schema, passed by position or by `name`."""
    if len(node.args) > index:
        return node.args[index]
    return node.kwargs.get(name, default)


def computation_type(node: torch.fx.Node, arguments: Sequence[Any]) -> Attribute:
    """The element type torch computes `node`'s operation in (its promoted dtype)."""
    values = [a.meta["val"] if isinstance(a, torch.fx.Node) else a for a in arguments]
    dtype = values[0].dtype if len(values) == 1 else torch.result_type(*values[:2])
    return element_type_of(dtype, describe(node))


def is_empty(node: torch.fx.Node) -> bool:
    """Whether `node` produces a tensor with zero elements (known without computing it:
    such nodes are not imported, and the caller makes the empty tensor)."""
    value = node.meta.get("val")
    if not isinstance(value, torch.Tensor):
        return False
    count = value.numel()
    return isinstance(count, int) and count == 0  # a data-dependent count is not known


def graph_outputs(graph: torch.fx.Graph) -> list[Any]:
    """The values `graph` returns, in order: nodes, and constants such as None or sizes.

    Captured graphs return a flat tuple (the caller rebuilds the structure); a single
    returned value is a list of one.
    """
    output = next(node for node in graph.nodes if node.op == "output")
    returned = output.args[0]
    return list(returned) if isinstance(returned, tuple | list) else [returned]


def import_graph(graph: torch.fx.Graph, name: str = "forward") -> func.FuncOp:
    """A `func.func` computing `graph`; its arguments are the graph's placeholders, in order.

    Placeholders that are weights (`meta[WEIGHT_META]`) are marked with their name
    (lowering/common/parameters.py). Its results are the graph's tensor outputs.
    Tensors with zero elements are neither
    arguments nor results. Raises UnsupportedOpsError naming
    every node litho cannot compile, at once.
    """
    placeholders = [
        node for node in graph.nodes if node.op == "placeholder" and not is_empty(node)
    ]
    argument_types = [
        tensor_type_of(node.meta["val"], f"input {node.name}") for node in placeholders
    ]
    block = Block(arg_types=argument_types)
    context = ImportContext(block)
    for node, argument in zip(placeholders, block.args, strict=True):
        argument.name_hint = _ssa_name(node.name)
        context.values[node] = argument
    for node in graph.nodes:
        if node.op == "call_function" and not is_empty(node):
            if node.target not in IMPORTERS:
                raise UnsupportedOpsError(f"{describe(node)}: litho has no importer for this op")
            context.node = node
            produced = IMPORTERS[node.target](context, node)
            context.values[node] = produced
            if isinstance(produced, SSAValue) and produced.name_hint is None:
                produced.name_hint = _ssa_name(node.name)
    context.node = None
    results = [
        context.values[value]
        for value in graph_outputs(graph)
        if isinstance(value, torch.fx.Node) and not is_empty(value)
    ]
    context.emit(func.ReturnOp(*results))
    function_type = (argument_types, [value.type for value in results])
    function = func.FuncOp(name, function_type, Region(block))
    set_parameter_names(function, [node.meta.get(WEIGHT_META) for node in placeholders])
    return function


def _ssa_name(node_name: str) -> str | None:
    return node_name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$.]*", node_name) else None


def check_supported_dtype(dtype: torch.dtype, where: str) -> None:
    element_type_of(dtype, where)
