"""litho-fold-parameters: compute once what a function computes from its weights alone.

Input and output: `litho_tensor` programs (L1) whose weights are marked arguments
(lowering/common/parameters.py). An op whose operands all come from weights and
constants gives the same value at every call: the `permute` of a Linear's weight, a cast
of an embedding table, the cos of a rotary buffer. Each value such an op makes that a
call still reads becomes a new weight argument, derived in the parameter store from the
weights it came from by a function of the ops it replaced; the ops go, and weights left
without uses leave the signature.

A value is folded only if it has no more elements than the weights it comes from
(`broadcast` of a bias to a batch stays in the function), so folding never grows the
weights the code reads. With `{matmul_weights=true}` only the weight operands of matmuls
are folded (what the GEMM reads, such as a Linear's transposed weight: see
`CodeOptions.pack_weights`). The pass is exact: the derivation runs the same ops.

```mlir
func.func @f(%w: tensor<4x8xf32> {litho.parameter = "0.weight"}, %x: tensor<2x8xf32>) -> ... {
  %t = litho_tensor.permute %w {dims = array<i64: 1, 0>} : tensor<4x8xf32> -> tensor<8x4xf32>
  %y = litho_tensor.matmul %x, %t : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
// becomes
func.func @f(%x: tensor<2x8xf32>,
             %t: tensor<8x4xf32> {litho.parameter = "permute(0.weight)"}) -> ... {
  %y = litho_tensor.matmul %x, %t : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
```
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from litho.dialects.tensor import MatmulOp
from litho.lowering.common.parameters import (
    Derivation,
    ParameterPass,
    ParameterStore,
    argument_attributes,
    parameter_names,
    set_argument_attributes,
    set_parameter_names,
)
from litho.lowering.common.tolerance import EXACT, Tolerance
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.traits import Pure


def _elements(value: SSAValue) -> int:
    return math.prod(value.type.get_shape())


@dataclass
class _WeightValues:
    """The values of a function that depend on its weights and constants only.

    `weights` are the weight arguments by name; `sources[v]` names the weights `v` is
    computed from, in order of first use (empty for a value of constants alone); `ops`
    are the ops that compute them.
    """

    weights: dict[str, SSAValue]
    sources: dict[SSAValue, tuple[str, ...]]
    ops: list[Operation]

    @staticmethod
    def of(function: func.FuncOp) -> _WeightValues:
        names = parameter_names(function)
        weights = {
            name: argument for name, argument in zip(names, function.args, strict=True) if name
        }
        found = _WeightValues(weights, {value: (name,) for name, value in weights.items()}, [])
        weight_elements = {name: _elements(argument) for name, argument in weights.items()}
        block = function.body.block
        for op in block.ops:
            if not op.has_trait(Pure) or op.regions or not op.results:
                continue
            if any(operand not in found.sources for operand in op.operands):
                continue
            names = tuple(dict.fromkeys(n for o in op.operands for n in found.sources[o]))
            budget = sum(weight_elements[name] for name in names)
            if names and sum(_elements(result) for result in op.results) > budget:
                continue
            found.ops.append(op)
            for result in op.results:
                found.sources[result] = names
        return found

    def read_by_the_call(self, matmul_weights: bool) -> list[SSAValue]:
        """The weight-computed values an op outside them (or the return) reads; with
        `matmul_weights`, only those that matmuls alone read, as their right operand."""
        inside = set(self.ops)
        found = []
        for op in self.ops:
            for result in op.results:
                outside = [use for use in result.uses if use.operation not in inside]
                if not self.sources[result] or not outside:
                    continue
                if matmul_weights and not all(
                        isinstance(use.operation, MatmulOp) and use.index == 1
                        for use in outside):
                    continue
                found.append(result)
        return found

    def derivation(self, value: SSAValue) -> Derivation:
        """A function of `value`'s weights that computes it with copies of its ops."""
        names = self.sources[value]
        block = Block(arg_types=[self.weights[name].type for name in names])
        copies: dict[SSAValue, SSAValue] = {
            self.weights[name]: argument for name, argument in zip(names, block.args, strict=True)
        }
        needed = self._ops_computing(value)
        for op in self.ops:
            if op in needed:
                copy = op.clone(value_mapper=dict(copies))
                block.add_op(copy)
                copies.update(zip(op.results, copy.results, strict=True))
        block.add_op(func.ReturnOp(copies[value]))
        types = ([argument.type for argument in block.args], [value.type])
        derived = func.FuncOp("derive", types, Region(block))
        return Derivation(names, ModuleOp([derived]))

    def _ops_computing(self, value: SSAValue) -> set[Operation]:
        needed: set[Operation] = set()
        pending = [value]
        while pending:
            owner = pending.pop().owner
            if isinstance(owner, Operation) and owner not in needed:
                needed.add(owner)
                pending.extend(owner.operands)
        return needed


@dataclass(frozen=True)
class LithoFoldParametersPass(ParameterPass):
    name = "litho-fold-parameters"
    tolerance: Tolerance = EXACT
    matmul_weights: bool = False

    def apply_with_store(
        self, ctx: Context, op: ModuleOp, store: ParameterStore
    ) -> ParameterStore:
        for function in op.ops:
            if isinstance(function, func.FuncOp) and function.body.blocks:
                store = _fold(function, store, self.matmul_weights)
        return store


def _fold(function: func.FuncOp, store: ParameterStore, matmul_weights: bool) -> ParameterStore:
    weights = _WeightValues.of(function)
    inside = set(weights.ops)
    names = parameter_names(function)
    block = function.body.block
    for value in weights.read_by_the_call(matmul_weights):
        name = store.fresh_name(f"{value.owner.name.removeprefix('litho_tensor.')}("
                                f"{', '.join(weights.sources[value])})")
        store = store.derive(name, weights.derivation(value))
        argument = block.insert_arg(value.type, len(block.args))
        argument.name_hint = value.name_hint
        value.replace_uses_with_if(argument, lambda use: use.operation not in inside)
        names.append(name)
    for op in reversed(weights.ops):
        if all(not result.uses for result in op.results):
            op.detach()
            op.erase()
    _drop_unused_weights(function, names)
    return store


def _drop_unused_weights(function: func.FuncOp, names: list[str | None]) -> None:
    """Erase the weight arguments nothing reads; mark the rest with `names`."""
    block = function.body.block
    attributes = argument_attributes(function)
    attributes += [{} for _ in range(len(block.args) - len(attributes))]
    kept_names, kept_attributes = [], []
    for argument, name, attribute in zip(list(block.args), names, attributes, strict=True):
        if name is not None and not argument.uses:
            block.erase_arg(argument)
        else:
            kept_names.append(name)
            kept_attributes.append(attribute)
    set_argument_attributes(function, kept_attributes)
    set_parameter_names(function, kept_names)
