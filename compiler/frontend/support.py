"""Which nodes of a core-ATen graph litho can compile, and why not the others.

Each node is tried on its own: its importer runs on fresh arguments of its inputs'
types, and the ops it emits are verified and asked whether a lowering supports their
form. Nodes that fail run in torch eager (or, under `strict=True`, are an
`UnsupportedOpsError` naming each one). This runs once per node, at capture.
"""

from __future__ import annotations

import operator
from typing import Any

import torch
import torch.fx
from litho.compiler.errors import LithoError, UnsupportedOpsError
from litho.compiler.frontend.importer import (
    IMPORTERS,
    TAKES_EMPTY_OPERANDS,
    ImportContext,
    describe,
    is_empty,
    tensor_type_of,
)
from litho.lowering.graph.convert_litho_tensor_to_linalg import unsupported_form
from xdsl.ir import Block, Operation
from xdsl.utils.exceptions import VerifyException


def check_supported(graph: torch.fx.Graph) -> None:
    """UnsupportedOpsError naming every node of `graph` litho cannot compile, if any."""
    reasons = unsupported_reasons(graph)
    if reasons:
        raise UnsupportedOpsError(unsupported_message(reasons))


def unsupported_reasons(graph: torch.fx.Graph) -> dict[torch.fx.Node, str]:
    """Each call_function node of `graph` that litho cannot compile, with the reason.

    A node is tried on its own: its importer runs on fresh arguments of its inputs'
    types, so an op that is supported only in some forms (a pow exponent, a pooling
    option) is judged on the form this graph uses. A node whose result has zero
    elements is always supported: there is nothing to compute.
    """
    reasons: dict[torch.fx.Node, str] = {}
    for node in graph.nodes:
        if node.op != "call_function":
            continue
        if node.target is operator.getitem and node.args[0] in reasons:
            reasons[node] = "reads the result of an op that is not compiled"
        elif is_empty(node):
            continue
        elif node.target not in IMPORTERS:
            reasons[node] = "litho has no importer for this op"
        else:
            error = _import_error(node)
            if error is not None:
                reasons[node] = error
    return reasons




def _import_error(node: torch.fx.Node) -> str | None:
    """Why importing `node` alone fails, or None if it imports."""
    context = ImportContext(Block())
    try:
        for input_node in node.all_input_nodes:
            if is_empty(input_node):
                _check_takes_empty_operands(node, input_node)
            else:
                context.values[input_node] = _trial_value(context.block, input_node)
        context.node = node
        IMPORTERS[node.target](context, node)
    except LithoError as error:
        return str(error).removeprefix(f"{describe(node)}: ")
    except Exception as error:  # an importer bug must not stop the model from running
        return f"litho's importer failed ({type(error).__name__}: {error}); please report it"
    return _unsupported_form_error(node, context.block)


def _unsupported_form_error(node: torch.fx.Node, block: Block) -> str | None:
    """Why an op that importing `node` emitted into `block` cannot be compiled, or None.

    An op in a form its dialect rejects (a matmul of integers) or that no lowering
    pattern supports (a subtraction of bools) would fail a pass later, and with it the
    whole model; refused here, the node runs in torch eager instead.
    """
    for op in block.ops:
        reason = _verify_error(op) or unsupported_form(op)
        if reason is not None:
            return f"not supported on operands of dtype {_dtypes(node)}: {reason}"
    return None


def _verify_error(op: Operation) -> str | None:
    """The verifier's message for `op`, on one line and naming the op, or None."""
    try:
        op.verify()
    except VerifyException as error:
        message = " ".join(str(error).split())
        return message if message.startswith(op.name) else f"{op.name}: {message}"
    return None


def _dtypes(node: torch.fx.Node) -> str:
    """`node`'s tensor operands' dtypes in argument order, as torch names them."""
    dtypes: list[str] = []

    def add_dtype(argument: torch.fx.Node) -> torch.fx.Node:
        value = argument.meta.get("val")
        if isinstance(value, torch.Tensor):
            dtypes.append(str(value.dtype).removeprefix("torch."))
        return argument

    torch.fx.node.map_arg((node.args, node.kwargs), add_dtype)
    return ", ".join(dtypes)


def _check_takes_empty_operands(node: torch.fx.Node, operand: torch.fx.Node) -> None:
    if node.target not in TAKES_EMPTY_OPERANDS:
        raise LithoError(
            f"{describe(node)}: reads {operand.name}, a tensor with zero elements, which "
            "litho only supports as an operand of cat"
        )


def _trial_value(block: Block, node: torch.fx.Node) -> Any:
    """A fresh block argument (or tuple of them) standing for `node`'s value."""
    value = node.meta.get("val")
    if isinstance(value, tuple | list):
        return [
            block.insert_arg(tensor_type_of(item, describe(node)), len(block.args))
            if isinstance(item, torch.Tensor)
            else None
            for item in value
        ]
    if not isinstance(value, torch.Tensor):
        raise LithoError(f"{describe(node)} produces {type(value).__name__}, not a tensor")
    return block.insert_arg(tensor_type_of(value, describe(node)), len(block.args))


def reported_nodes(reasons: dict[torch.fx.Node, str]) -> list[torch.fx.Node]:
    """The unsupported nodes to tell a user about: not the getitems unpacking one of them."""
    return [
        node
        for node in reasons
        if node.target is not operator.getitem or node.args[0] not in reasons
    ]


def unsupported_message(reasons: dict[torch.fx.Node, str]) -> str:
    """The UnsupportedOpsError message: each op, its node, source line and reason."""
    ops = reported_nodes(reasons)
    listed = "\n".join(f"  - {describe(node)}: {reasons[node]}" for node in ops)
    return (
        f"litho cannot compile {len(ops)} op(s) of this model:\n{listed}\n"
        "Without strict=True these ops run in torch eager; litho.compiler.explain(model, "
        "*inputs) lists them. To compile them, rewrite the model or add an importer "
        "(see README: adding an op)."
    )
