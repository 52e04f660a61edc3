"""`jit(model)`: compile on first call for each input signature, cache, and run natively.

```python
from litho.compiler import jit
fast = jit(model)          # nothing is compiled yet
y = fast(x)                # compiles for x's shapes and dtypes, then runs the native code
y = fast(x2)               # another shape: a second specialization, cached beside the first
fast.last_compile          # op counts per level, pass and stage times of the last compile
```

An op litho cannot compile runs in torch eager inside the compiled function (with one
warning; `strict=True` makes it an error). After `max_specializations` signatures, new
ones run in torch eager.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from litho.compiler.errors import LithoError
from litho.compiler.frontend import argument_sources, capture
from litho.compiler.graph_compiler import FallbackNotices, compile_graph_module
from litho.compiler.importer import check_supported_dtype, unsupported_reasons
from litho.compiler.options import Options, make_options
from litho.compiler.pipeline import CompileReport
from litho.runtime.compiled import CompiledFunction, TensorSpec, check_tensor

Signature = tuple[tuple[tuple[int, ...], torch.dtype], ...]


class _FunctionModule(torch.nn.Module):
    """Lets `jit` take a plain function of tensors: torch.export needs a Module."""

    def __init__(self, function: Callable[..., object]):
        super().__init__()
        self.function = function

    def forward(self, *inputs: torch.Tensor) -> object:
        return self.function(*inputs)


@dataclass
class LithoFunction:
    """The callable `jit` returns: one compiled specialization per input signature."""

    model: torch.nn.Module
    options: Options

    def __post_init__(self) -> None:
        self.specializations: dict[Signature, CompiledFunction] = {}
        self.last_compile: CompileReport | None = None
        self.notices = FallbackNotices(self.options, type(self.model).__name__)

    def __call__(self, *inputs: torch.Tensor) -> object:
        signature = self.signature(inputs)
        compiled = self.specializations.get(signature)
        if compiled is None:
            if len(self.specializations) >= self.options.max_specializations:
                return self.run_eager(inputs)
            compiled = self.compile(inputs)
            self.specializations[signature] = compiled
        return compiled(*inputs)

    def signature(self, inputs: tuple[torch.Tensor, ...]) -> Signature:
        for index, value in enumerate(inputs):
            check_tensor(index, value)
            check_supported_dtype(value.dtype, f"input {index}")
        return tuple((tuple(value.shape), value.dtype) for value in inputs)

    def run_eager(self, inputs: tuple[torch.Tensor, ...]) -> object:
        """Past `max_specializations` signatures: torch eager, with one warning."""
        self.notices.past_limit(len(self.specializations))
        return self.model(*inputs)

    def compile(self, inputs: tuple[torch.Tensor, ...]) -> CompiledFunction:
        """Compile the model for the signature of `inputs` through every level."""
        report = CompileReport()
        start = time.perf_counter()
        with torch.no_grad():
            program = capture(self.model, inputs)
        report.stage_times["capture"] = time.perf_counter() - start
        graph_module = program.graph_module
        reasons = unsupported_reasons(graph_module.graph)
        self.notices.unsupported_ops(reasons)
        run = compile_graph_module(graph_module, reasons, self.options, report)
        report.stage_times["total"] = time.perf_counter() - start
        self.last_compile = report
        if self.options.time_passes:
            print(report.timing_table(), file=sys.stderr)
        return CompiledFunction(
            run,
            argument_sources(program),
            [TensorSpec.of(value) for value in inputs],
            program.call_spec.out_spec,
        )


def jit(model: torch.nn.Module | Callable[..., object], **options: object) -> LithoFunction:
    """Compile `model` with litho on its first call for each input signature.

    `model` is a `torch.nn.Module` or a function of tensors; `options` are the fields
    of `litho.compiler.options.Options`. Bad options raise LithoError at once.
    """
    if not isinstance(model, torch.nn.Module):
        if not callable(model):
            raise LithoError(f"jit expects a torch.nn.Module or a function, got {model!r}")
        model = _FunctionModule(model)
    return LithoFunction(model, make_options(**options))
