"""`jit(model)`: compile on first call for each input signature, cache, and run natively.

```python
from litho.compiler import jit
fast = jit(model)          # nothing is compiled yet
y = fast(x)                # compiles for x's shapes and dtypes, then runs the native code
y = fast(x2)               # another shape: a second specialization, cached beside the first
fast.last_compile          # op counts per level, pass and stage times of the last compile
```
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from litho.compiler.errors import LithoError
from litho.compiler.frontend import import_model
from litho.compiler.importer import check_supported_dtype, torch_dtype_of
from litho.compiler.interpreter import entry_function
from litho.compiler.options import Options, make_options
from litho.compiler.pipeline import CompileReport, StageRunner
from litho.lowering.litho_memory_plan import ARENA_SIZE_ATTRIBUTE
from litho.lowering.translate_to_llvm import translate_module
from litho.runtime.compiled import CompiledFunction, TensorSpec, check_tensor
from litho.runtime.engine import JitEngine
from xdsl.dialects.builtin import MemRefType

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

    def __call__(self, *inputs: torch.Tensor) -> object:
        signature = self.signature(inputs)
        compiled = self.specializations.get(signature)
        if compiled is None:
            compiled = self.compile(inputs)
            self.specializations[signature] = compiled
        return compiled(*inputs)

    def signature(self, inputs: tuple[torch.Tensor, ...]) -> Signature:
        for index, value in enumerate(inputs):
            check_tensor(index, value)
            check_supported_dtype(value.dtype, f"input {index}")
        return tuple((tuple(value.shape), value.dtype) for value in inputs)

    def compile(self, inputs: tuple[torch.Tensor, ...]) -> CompiledFunction:
        """Compile the model for the signature of `inputs` through every level."""
        report = CompileReport()
        start = time.perf_counter()
        with torch.no_grad():
            captured = import_model(self.model, inputs)
        report.stage_times["capture+import"] = time.perf_counter() - start
        runner = StageRunner(self.options, report)
        module = runner.run(captured.module)
        codegen_start = time.perf_counter()
        function = entry_function(module)
        llvm_ir = str(translate_module(module))
        engine = JitEngine(llvm_ir)
        runner.dump("codegen", engine.optimized_ir, suffix="ll")
        report.stage_times["codegen"] = time.perf_counter() - codegen_start
        report.stage_times["total"] = time.perf_counter() - start
        self.last_compile = report
        if self.options.time_passes:
            print(report.timing_table(), file=sys.stderr)
        argument_types = function.function_type.inputs.data
        output_types = argument_types[len(captured.arguments) :]
        return CompiledFunction(
            engine,
            function.sym_name.data,
            captured.arguments,
            [TensorSpec.of(value) for value in inputs],
            [_spec_of(memref_type) for memref_type in output_types],
            function.attributes[ARENA_SIZE_ATTRIBUTE].value.data,
            captured.output_spec,
        )


def _spec_of(memref_type: MemRefType) -> TensorSpec:
    dtype = torch_dtype_of(memref_type.get_element_type())
    return TensorSpec(tuple(memref_type.get_shape()), dtype)


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
