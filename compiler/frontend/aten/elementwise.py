"""Importers of elementwise core-ATen ops: arithmetic, math, comparisons, `where`, copies.

To support a new ATen op, add a function here decorated with
`@register_importer(aten.<op>.<overload>)` that emits `litho_tensor` ops through
`context.emit` and returns the resulting value.
"""

from __future__ import annotations

import torch
import torch.fx
from litho.compiler.errors import LithoError
from litho.compiler.frontend.importer import (
    ImportContext,
    computation_type,
    describe,
    node_argument,
    register_importer,
)
from litho.dialects import tensor as lt
from xdsl.dialects.builtin import AnyFloat, IntegerType, i1
from xdsl.ir import SSAValue

aten = torch.ops.aten

_BINARY = {
    aten.add.Tensor: lt.AddOp,
    aten.add.Scalar: lt.AddOp,
    aten.sub.Tensor: lt.SubOp,
    aten.sub.Scalar: lt.SubOp,
    aten.mul.Tensor: lt.MulOp,
    aten.mul.Scalar: lt.MulOp,
    aten.div.Tensor: lt.DivOp,
    aten.div.Scalar: lt.DivOp,
    aten.maximum.default: lt.MaxOp,
    aten.minimum.default: lt.MinOp,
    aten.pow.Tensor_Tensor: lt.PowOp,
    aten.bitwise_and.Tensor: lt.AndOp,
    aten.bitwise_and.Scalar: lt.AndOp,
    aten.bitwise_or.Tensor: lt.OrOp,
    aten.bitwise_or.Scalar: lt.OrOp,
    aten.bitwise_xor.Tensor: lt.XorOp,
    aten.bitwise_xor.Scalar: lt.XorOp,
}

_LOGICAL = {
    aten.logical_and.default: lt.AndOp,
    aten.logical_or.default: lt.OrOp,
    aten.logical_xor.default: lt.XorOp,
}

_UNARY = {
    aten.neg.default: lt.NegOp,
    aten.exp.default: lt.ExpOp,
    aten.log.default: lt.LogOp,
    aten.tanh.default: lt.TanhOp,
    aten.sqrt.default: lt.SqrtOp,
    aten.rsqrt.default: lt.RsqrtOp,
    aten.erf.default: lt.ErfOp,
    aten.sigmoid.default: lt.SigmoidOp,
    aten.relu.default: lt.ReluOp,
    aten.cos.default: lt.CosOp,
    aten.sin.default: lt.SinOp,
    aten.reciprocal.default: lt.ReciprocalOp,
    aten.abs.default: lt.AbsOp,
}

_COMPARISONS = {
    aten.eq: "eq",
    aten.ne: "ne",
    aten.lt: "lt",
    aten.le: "le",
    aten.gt: "gt",
    aten.ge: "ge",
}


@register_importer(*_BINARY)
def import_binary(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    lhs_arg, rhs_arg = node.args[:2]
    if node.kwargs.get("rounding_mode") is not None:
        raise LithoError(f"{describe(node)}: rounding_mode is not supported")
    element_type = context.result_type(node).get_element_type()
    lhs, rhs = context.operands([lhs_arg, rhs_arg], element_type)
    alpha = node.kwargs.get("alpha", 1)
    if alpha != 1:
        rhs = context.emit(lt.MulOp(rhs, context.operand(alpha, element_type))).result
    return context.emit(_BINARY[node.target](lhs, rhs)).result


@register_importer(aten.div.Tensor_mode, aten.div.Scalar_mode, aten.floor_divide.default)
def import_rounding_division(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    """Integer division rounded down (`//`) or toward zero, by a nonzero number.

    Eager raises on a zero divisor, which native code cannot, so a tensor divisor falls
    back to eager; float division with a rounding mode is not supported.
    """
    rounding = node_argument(node, 2, "rounding_mode", "floor")
    if node.target == aten.floor_divide.default:
        rounding = "floor"
    element_type = context.result_type(node).get_element_type()
    lhs_arg, divisor = node.args[:2]
    if rounding is None:
        lhs, rhs = context.operands([lhs_arg, divisor], element_type)
        return context.emit(lt.DivOp(lhs, rhs)).result
    if element_type == i1 or not isinstance(element_type, IntegerType):
        raise LithoError(
            f"{describe(node)}: division of {element_type} tensors with rounding_mode "
            f"{rounding!r} is not supported"
        )
    if isinstance(divisor, torch.fx.Node) or divisor == 0:
        raise LithoError(
            f"{describe(node)}: integer division by a tensor is not supported (eager raises "
            "on a zero divisor, which compiled code cannot); divide by a nonzero number"
        )
    lhs, rhs = context.operands([lhs_arg, divisor], element_type)
    return context.emit(lt.IntegerDivOp(lhs, rhs, rounding)).result


@register_importer(*_UNARY)
def import_unary(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    element_type = context.result_type(node).get_element_type()
    (operand,) = context.operands(node.args[:1], element_type)
    return context.emit(_UNARY[node.target](operand)).result


@register_importer(aten.gelu.default)
def import_gelu(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    approximate = node.kwargs.get("approximate", "none")
    return context.emit(lt.GeluOp(context.values[node.args[0]], approximate)).result


@register_importer(*_LOGICAL)
def import_logical(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    lhs, rhs = context.operands(node.args[:2], i1)
    result = context.emit(_LOGICAL[node.target](lhs, rhs)).result
    return context.cast(result, context.result_type(node).get_element_type())


@register_importer(aten.logical_not.default, aten.bitwise_not.default)
def import_not(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    element_type = context.result_type(node).get_element_type()
    value = context.values[node.args[0]]
    if node.target == aten.bitwise_not.default and element_type != i1:
        return context.emit(lt.XorOp(value, context.operand(-1, element_type))).result
    zero = context.operand(0, value.type.get_element_type())
    return context.cast(context.emit(lt.CmpOp("eq", value, zero)).result, element_type)


_MULTIPLIED_POWERS = (1, 2, 3, 4)


@register_importer(aten.pow.Tensor_Scalar, aten.pow.Scalar)
def import_pow(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    """Small integral powers multiply, square roots use sqrt, the rest call pow."""
    base, exponent = node.args
    element_type = context.result_type(node).get_element_type()
    if not isinstance(element_type, AnyFloat):
        raise LithoError(f"{describe(node)}: pow of integer tensors is not supported")
    value = context.operand(base, element_type)
    if isinstance(exponent, torch.fx.Node):
        return context.emit(lt.PowOp(value, context.operand(exponent, element_type))).result
    if exponent in _MULTIPLIED_POWERS:
        result = value
        for _ in range(int(exponent) - 1):
            result = context.emit(lt.MulOp(result, value)).result
        return result
    if exponent == 0.5:
        return context.emit(lt.SqrtOp(value)).result
    if exponent == -0.5:
        return context.emit(lt.RsqrtOp(value)).result
    return context.emit(lt.PowOp(value, context.operand(exponent, element_type))).result


@register_importer(
    aten.clamp.default,
    aten.clamp.Tensor,
    aten.clamp_min.default,
    aten.clamp_min.Tensor,
    aten.clamp_max.default,
    aten.clamp_max.Tensor,
)
def import_clamp(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    element_type = context.result_type(node).get_element_type()
    value = context.cast(context.values[node.args[0]], element_type)
    if node.target in (aten.clamp_max.default, aten.clamp_max.Tensor):
        low, high = None, node.args[1]
    else:
        low = node_argument(node, 1, "min")
        high = node_argument(node, 2, "max")
    if low is not None:
        value = context.emit(lt.MaxOp(value, context.operand(low, element_type))).result
    if high is not None:
        value = context.emit(lt.MinOp(value, context.operand(high, element_type))).result
    return value


def _register_comparisons() -> None:
    for packet, predicate in _COMPARISONS.items():

        def import_comparison(context: ImportContext, node: torch.fx.Node, predicate=predicate):
            element_type = computation_type(node, node.args[:2])
            lhs, rhs = context.operands(node.args[:2], element_type)
            return context.emit(lt.CmpOp(predicate, lhs, rhs)).result

        register_importer(packet.Tensor, packet.Scalar)(import_comparison)


_register_comparisons()


@register_importer(aten.where.self)
def import_where(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    condition = context.values[node.args[0]]
    element_type = context.result_type(node).get_element_type()
    lhs, rhs = context.operands(node.args[1:3], element_type)
    return context.emit(lt.WhereOp(condition, lhs, rhs)).result


@register_importer(
    aten._to_copy.default, aten.clone.default, aten.alias.default, aten.detach.default
)
def import_copy(context: ImportContext, node: torch.fx.Node) -> SSAValue:
    element_type = context.result_type(node).get_element_type()
    return context.cast(context.values[node.args[0]], element_type)
