"""Parameters: the weights a function takes as marked arguments, and the store of their values.

Weights stay function arguments at every level. The importer marks each argument that is
a model weight with `litho.parameter = "<name>"` (its qualified name, `0.weight`); the
other arguments (the caller's tensors, buffers the model updates) are unmarked, and no
pass reorders them.

A pass that changes weights is a `ParameterPass`: it gets a `ParameterStore` and returns
it updated. It records each new weight as a `Derivation` (an L1 function of weights the
store knows) under a new name, and makes the argument that takes it. The store evaluates
a derivation on demand, with the interpreter; so does the runtime, again, at a call whose
weights changed since (compiler/graph_compiler.py), so a derived weight follows its
sources as eager would.

```python
store, activations = split_arguments(function, arguments)  # marked ones by name
store = LithoFoldParametersPass().apply_with_store(context, module, store)
bind_arguments(function, store, activations)   # the new arguments, derived ones computed
```
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from litho.dialects.attributes import OUTPUT_COUNT_ATTRIBUTE, PARAMETER_ATTRIBUTE
from litho.dialects.interpreter import make_interpreter
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ArrayAttr, DictionaryAttr, ModuleOp, StringAttr
from xdsl.ir import Attribute
from xdsl.passes import ModulePass


def argument_attributes(function: func.FuncOp) -> list[dict[str, Attribute]]:
    """Each argument's attributes (`arg_attrs`), one dict per argument."""
    if function.arg_attrs is None:
        return [{} for _ in function.args]
    return [dict(attributes.data) for attributes in function.arg_attrs.data]


def set_argument_attributes(
    function: func.FuncOp, attributes: Sequence[dict[str, Attribute]]
) -> None:
    """Set `arg_attrs` (dropped when no argument has any) and the function's type."""
    function.update_function_type()
    marked = any(attributes)
    function.arg_attrs = ArrayAttr(DictionaryAttr(item) for item in attributes) if marked else None


def parameter_names(function: func.FuncOp) -> list[str | None]:
    """The weight each argument is, by name; None for the caller's tensors."""
    names = []
    for attributes in argument_attributes(function):
        mark = attributes.get(PARAMETER_ATTRIBUTE)
        names.append(mark.data if isinstance(mark, StringAttr) else None)
    return names


def input_parameter_names(function: func.FuncOp) -> list[str | None]:
    """`parameter_names` of the function's inputs: without a bufferized function's
    trailing outputs (`litho.outputs`), which the caller allocates."""
    names = parameter_names(function)
    outputs = function.attributes.get(OUTPUT_COUNT_ATTRIBUTE)
    return names[: len(names) - outputs.value.data] if outputs is not None else names


def set_parameter_names(function: func.FuncOp, names: Sequence[str | None]) -> None:
    """Mark the arguments named in `names` as those weights (None: not a weight)."""
    attributes = argument_attributes(function)
    for argument, name in zip(attributes, names, strict=True):
        argument.pop(PARAMETER_ATTRIBUTE, None)
        if name is not None:
            argument[PARAMETER_ATTRIBUTE] = StringAttr(name)
    set_argument_attributes(function, attributes)


@dataclass(frozen=True)
class Derivation:
    """A weight computed from others: `module`'s one function applied to `sources`."""

    sources: tuple[str, ...]
    module: ModuleOp

    def evaluate(self, values: Sequence[np.ndarray]) -> np.ndarray:
        function = next(iter(self.module.ops))
        (result,) = make_interpreter(self.module).call_op(function, tuple(values))
        return np.asarray(result)


@dataclass(frozen=True)
class ParameterStore:
    """The weights' values by name, and the weights derived from them.

    `values` are the weights as given (numpy arrays; empty when `litho-opt` runs a pass
    on IR alone, which changes the IR the same way); `derivations` the weights passes
    made, evaluated when asked for.
    """

    values: Mapping[str, np.ndarray] = field(default_factory=dict)
    derivations: Mapping[str, Derivation] = field(default_factory=dict)

    def value(self, name: str) -> np.ndarray:
        """The weight `name`: as given, or computed from its sources."""
        if name in self.values:
            return self.values[name]
        if name in self.derivations:
            derivation = self.derivations[name]
            return derivation.evaluate([self.value(source) for source in derivation.sources])
        raise KeyError(f"the parameter store has no weight {name!r}")

    def roots(self, name: str) -> list[str]:
        """The given weights the weight `name` is computed from, in order of first use."""
        if name not in self.derivations:
            return [name]
        sources = self.derivations[name].sources
        return list(dict.fromkeys(root for source in sources for root in self.roots(source)))

    def with_values(self, values: Mapping[str, np.ndarray]) -> ParameterStore:
        """The same derivations over other given values (the weights at a later call)."""
        return replace(self, values=values)

    def derive(self, name: str, derivation: Derivation) -> ParameterStore:
        """The store with the weight `name` derived by `derivation`."""
        return replace(self, derivations={**self.derivations, name: derivation})

    def fresh_name(self, base: str) -> str:
        """`base`, or `base#2`, `base#3`... if the store already has a weight so named."""
        name, count = base, 1
        while name in self.values or name in self.derivations:
            count += 1
            name = f"{base}#{count}"
        return name


class ParameterPass(ModulePass):
    """A pass that changes weights: it takes the store and returns it updated.

    Run as a plain pass (`litho-opt -p`), it gets an empty store: it rewrites the IR the
    same way, and the derivations it records are dropped.
    """

    def apply_with_store(
        self, ctx: Context, op: ModuleOp, store: ParameterStore
    ) -> ParameterStore:
        raise NotImplementedError

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        self.apply_with_store(ctx, op, ParameterStore())


def apply_pass(
    compiler_pass: ModulePass, ctx: Context, module: ModuleOp, store: ParameterStore
) -> ParameterStore:
    """Apply any pass to `module`; a parameter pass gets `store`. The store after it."""
    if isinstance(compiler_pass, ParameterPass):
        return compiler_pass.apply_with_store(ctx, module, store)
    compiler_pass.apply(ctx, module)
    return store


def split_arguments(
    function: func.FuncOp, arguments: Sequence[np.ndarray]
) -> tuple[ParameterStore, list[np.ndarray]]:
    """`function`'s input `arguments` as the store of its weights and the list of the
    others."""
    names = input_parameter_names(function)
    values = {name: value for name, value in zip(names, arguments, strict=True) if name}
    activations = [value for name, value in zip(names, arguments, strict=True) if name is None]
    return ParameterStore(values), activations


def bind_arguments(
    function: func.FuncOp, store: ParameterStore, activations: Sequence[np.ndarray]
) -> list[np.ndarray]:
    """`function`'s input arguments: its weights from `store`, the others from
    `activations`."""
    remaining = iter(activations)
    return [
        next(remaining) if name is None else store.value(name)
        for name in input_parameter_names(function)
    ]
