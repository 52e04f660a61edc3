"""`jit(model)`: compile on first call for each input signature, cache, and run natively.

```python
from litho.compiler import jit
fast = jit(model)          # nothing is compiled yet
y = fast(x)                # compiles for x's shapes and dtypes, then runs the native code
y = fast(x2)               # another shape: a second specialization, cached beside the first
y = fast(ids, attention_mask=mask)   # keyword arguments and non-tensor ones work too
fast.last_compile          # op counts per level, pass and stage times of the last compile
```

An op litho cannot compile runs in torch eager inside the compiled function (with one
warning; `strict=True` makes it an error). After `max_specializations` signatures, new
ones run in torch eager.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.utils._pytree as pytree
from litho.compiler.errors import InputMismatchError, LithoError
from litho.compiler.frontend.capture import (
    ModuleRegistrations,
    capture,
    model_name,
    register_model_types,
)
from litho.compiler.frontend.importer import check_supported_dtype
from litho.compiler.graph_compiler import FallbackNotices, compile_graph_module
from litho.compiler.options import Options, make_options
from litho.compiler.pipeline import CompileReport
from litho.compiler.specializations import Specializations
from litho.lowering.common.parameters import ParameterStore
from litho.runtime.compiled import CompiledFunction, GuardFailure, check_tensor
from litho.runtime.signature import TensorSpec


class _FunctionModule(torch.nn.Module):
    """Lets `jit` take a plain function of tensors: torch.export needs a Module."""

    def __init__(self, function: Callable[..., object]):
        super().__init__()
        self.function = function
        self.function_name = getattr(function, "__qualname__", None) or repr(function)
        # torch.export keeps only `forward` frames in stack traces, unless told otherwise:
        # without this, every op of a function would point at this file
        register_anchor = getattr(torch.fx.proxy, "_register_stack_trace_anchor", None)
        if register_anchor is not None:
            register_anchor(function)

    def forward(self, *args: Any, **kwargs: Any) -> object:
        return self.function(*args, **kwargs)


@dataclass(frozen=True)
class Call:
    """One call's arguments: the leaves of its flattened (args, kwargs), and its signature.

    The signature (the specialization cache key) holds the argument structure, every
    tensor's shape and dtype, every other leaf's value, and the modules' training modes.
    Tensors are checked (device, dtype) only when a signature is compiled: the code's
    guard rejects any other tensor.
    """

    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    leaves: list[Any]
    signature: Hashable

    def check_tensors(self) -> None:
        """A LithoError names the first tensor argument litho cannot compile for."""
        for position, leaf in enumerate(self.leaves):
            if isinstance(leaf, torch.Tensor):
                where = f"input {_argument_name(self.args, self.kwargs, position)}"
                check_tensor(where, leaf)
                check_supported_dtype(leaf.dtype, where)


def describe_call(modules: Sequence[torch.nn.Module], args: tuple, kwargs: dict[str, Any]
                  ) -> Call:
    """The `Call` of `model(*args, **kwargs)`, `modules` the model's module tree (their
    training modes are part of the signature); a LithoError names a non-tensor argument
    litho cannot specialize on."""
    kwargs = dict(sorted(kwargs.items()))
    leaves, tree = pytree.tree_flatten((args, kwargs))
    keys = [
        (tuple(leaf.shape), leaf.dtype)
        if isinstance(leaf, torch.Tensor)
        else _constant_key(leaf, args, kwargs, position)
        for position, leaf in enumerate(leaves)
    ]
    training = tuple(module.training for module in modules)
    return Call(args, kwargs, leaves, (_hashable(tree), training, tuple(keys)))


def _hashable(tree: pytree.TreeSpec) -> Hashable:
    """The argument structure as a cache key (some containers' specs hold dicts)."""
    try:
        hash(tree)
    except TypeError:
        return str(tree)
    return tree


def _constant_key(leaf: object, args: tuple, kwargs: dict[str, Any], position: int) -> Hashable:
    """A non-tensor argument is specialized on: its value is part of the signature."""
    try:
        hash(leaf)
    except TypeError:
        name = _argument_name(args, kwargs, position)
        raise InputMismatchError(
            f"input {name}: litho cannot specialize on a {type(leaf).__name__} "
            "(pass tensors, numbers, strings or containers of them)"
        ) from None
    return (type(leaf), leaf)


def _argument_name(args: tuple, kwargs: dict[str, Any], position: int) -> str:
    """How messages name leaf `position` of (args, kwargs): `0`, `mask`, `past[1][0]`."""
    paths = [path for path, _ in pytree.tree_flatten_with_path((args, kwargs))[0]]
    top, *rest = paths[position]
    name = str(getattr(rest[0], "key", getattr(rest[0], "idx", ""))) if rest else "?"
    return name + pytree.keystr(tuple(rest[1:])) if top else name


@dataclass
class LithoFunction:
    """The callable `jit` returns: one compiled specialization per call signature."""

    model: torch.nn.Module
    options: Options

    def __post_init__(self) -> None:
        self.specializations = Specializations[CompiledFunction](self.options.max_specializations)
        self.last_compile: CompileReport | None = None
        self.name = model_name(self.model)
        self.notices = FallbackNotices(self.options, self.name)
        register_model_types(self.model)
        self._modules: tuple[int, tuple[torch.nn.Module, ...]] = (-1, ())

    def modules(self) -> tuple[torch.nn.Module, ...]:
        """The model's modules, walked again only after a submodule was set anywhere
        (walking them took 38 us a call on a small ResNet: an eighth of its time)."""
        version, modules = self._modules
        if version != ModuleRegistrations.count:
            modules = tuple(self.model.modules())
            self._modules = (ModuleRegistrations.count, modules)
        return modules

    def __call__(self, *args: Any, **kwargs: Any) -> object:
        call = describe_call(self.modules(), args, kwargs)
        compiled = self.specializations.get(call.signature)
        if compiled is not None:
            try:
                return compiled(self.model, call.leaves)
            except GuardFailure:
                pass  # the model's state changed shape, dtype or device: compile again
        compiled = self.specialize(call)
        if compiled is None:
            return self.run_eager(call)
        return compiled(self.model, call.leaves)

    def specialize(self, call: Call) -> CompiledFunction | None:
        """The specialization for `call`, compiled now if it is missing or does not fit
        (its parameters changed shape, dtype or device); None past `max_specializations`."""
        return self.specializations.get_or_compile(
            call.signature,
            lambda: self.compile(call),
            fits=lambda compiled: compiled.fits(self.model, call.leaves),
        )

    def run_eager(self, call: Call) -> object:
        """Past `max_specializations` signatures: torch eager, with one warning."""
        self.notices.past_limit(len(self.specializations))
        return self.model(*call.args, **call.kwargs)

    def compile(self, call: Call) -> CompiledFunction:
        """Compile the model for `call`'s signature through every level."""
        call.check_tensors()
        report = CompileReport()
        start = time.perf_counter()
        with torch.no_grad():
            program = capture(self.model, call.args, call.kwargs)
        report.stage_times["capture"] = time.perf_counter() - start
        self.notices.unsupported_ops(program.reasons)
        name = f"{self.name}.{_shapes_tag(call.leaves)}"
        store = ParameterStore(program.weights(self.model, call.leaves))
        run = compile_graph_module(
            program.graph_module, program.reasons, self.options, report, name, store
        )
        report.stage_times["total"] = time.perf_counter() - start
        self.last_compile = report
        if self.options.debug.time_passes:
            print(report.timing_table(), file=sys.stderr)
        specs = [TensorSpec.of(source.read(self.model, call.leaves)) for source in program.sources]
        return CompiledFunction(run, program.sources, specs, program.mutated, program.output_tree)


def _shapes_tag(leaves: Sequence[Any]) -> str:
    """A file-name-safe summary of a call's tensor shapes and dtypes: `2x8xi64_2x8xf32`."""
    parts = []
    for leaf in leaves:
        if isinstance(leaf, torch.Tensor):
            dtype = str(leaf.dtype).removeprefix("torch.")
            parts.append("x".join(str(size) for size in (*leaf.shape, dtype)))
    tag = "_".join(parts) or "no_tensors"
    return tag if len(tag) <= 80 else f"{tag[:70]}_{hashlib.sha1(tag.encode()).hexdigest()[:8]}"


def jit(model: torch.nn.Module | Callable[..., object], **options: object) -> LithoFunction:
    """Compile `model` with litho on its first call for each input signature.

    `model` is a `torch.nn.Module` or a function of tensors; `options` are the fields
    of `litho.compiler.options` (`target`; `dump_ir`, `time_passes`, `verify`; `strict`,
    `max_specializations`). Bad options raise LithoError at once.
    """
    if not isinstance(model, torch.nn.Module):
        if not callable(model):
            raise LithoError(f"jit expects a torch.nn.Module or a function, got {model!r}")
        model = _FunctionModule(model)
    return LithoFunction(model, make_options(**options))
