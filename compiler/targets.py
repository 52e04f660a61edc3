"""The back-end seam: a `Target` gives its stage list and turns L3 into native code.

A target is what the `target` option names. It owns everything that differs between
back ends: the passes from L1 to L3 (`stages`), and `build`, which translates the L3
module and hands it to its runtime under the module's `NativeSignature`. The CPU target
translates to LLVM IR and JIT-compiles it with llvmlite; a GPU target will emit PTX and
load it through the CUDA driver, with its own stage list (never a branch inside a stage).

The signature is derived here, once, from the L3 entry function; the runtime calls
through it and the interpreter allocates outputs from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from litho.compiler.frontend.importer import torch_dtype_of
from litho.compiler.interpreter import entry_function
from litho.dialects.attributes import ARENA_SIZE_ATTRIBUTE, OUTPUT_COUNT_ATTRIBUTE
from litho.dialects.guard import error_sites
from litho.lowering.targets.cpu.stages import CPU_STAGES
from litho.lowering.targets.cpu.translate_to_llvm import translate_module
from litho.runtime.compiled import NativeFunction
from litho.runtime.engine import JitEngine
from litho.runtime.signature import NativeSignature, TensorSpec
from xdsl.dialects.builtin import MemRefType, ModuleOp

Dump = Callable[[str, str, str], None]  # (label, text, file suffix)


@dataclass(frozen=True)
class Target:
    """A back end: its name, its stages (L1 -> L3), and how it builds native code."""

    name: str
    stages: tuple[tuple[str, str], ...]
    build: Callable[[ModuleOp, NativeSignature, Dump], NativeFunction]


def _build_cpu(module: ModuleOp, signature: NativeSignature, dump: Dump) -> NativeFunction:
    engine = JitEngine(str(translate_module(module)))
    dump("codegen", engine.optimized_ir, "ll")
    return NativeFunction(engine, signature)


TARGETS: dict[str, Target] = {"cpu": Target("cpu", CPU_STAGES, _build_cpu)}


def native_signature(module: ModuleOp) -> NativeSignature:
    """The calling convention of `module`'s entry function, bufferized and planned (L3)."""
    function = entry_function(module)
    buffers = [_spec_of(memref_type) for memref_type in function.function_type.inputs.data]
    output_count = function.attributes[OUTPUT_COUNT_ATTRIBUTE].value.data
    input_count = len(buffers) - output_count
    arena = function.attributes.get(ARENA_SIZE_ATTRIBUTE)
    return NativeSignature(
        function.sym_name.data,
        tuple(buffers[:input_count]),
        tuple(buffers[input_count:]),
        arena.value.data if arena is not None else 0,
        tuple(check.error_report() for check in error_sites(module)),
    )


def _spec_of(memref_type: MemRefType) -> TensorSpec:
    dtype = torch_dtype_of(memref_type.get_element_type())
    return TensorSpec(tuple(memref_type.get_shape()), dtype)
