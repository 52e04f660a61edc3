"""The back-end seam: a `Target` gives its stage list and turns L3 into native code.

A target is what the `target` option names. It owns everything that differs between back
ends: the passes from L1 to L3 (`stages`, given the options that change code), and
`build`, which translates the L3 module and hands it to its runtime under the module's
`NativeSignature`, and `tune`, which sees the module before each stage and may time
candidate schedules for it (the CPU's autotuner, for the stage whose litho-gemm asks).
The CPU target translates to LLVM IR and JIT-compiles it with llvmlite; a GPU target
will emit PTX and load it through the CUDA driver, with its own stage list (never a
branch inside a stage).

The signature the build gets is derived once from the L3 entry function
(compiler/entry.py); the runtime calls through it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from litho.compiler.autotune import tune_schedule
from litho.lowering.targets.cpu.stages import cpu_stages
from litho.lowering.targets.cpu.translate_to_llvm import translate_module
from litho.runtime.compiled import NativeFunction
from litho.runtime.engine import JitEngine
from litho.runtime.signature import NativeSignature
from xdsl.dialects.builtin import ModuleOp

if TYPE_CHECKING:
    from litho.compiler.options import CodeOptions

Dump = Callable[[str, object, str], None]  # (label, what to print, file suffix)


@dataclass(frozen=True)
class Target:
    """A back end: its name, its stages (L1 -> L3) under the code options, and how it
    builds native code."""

    name: str
    stages: Callable[[CodeOptions], tuple[tuple[str, str], ...]]
    build: Callable[[ModuleOp, NativeSignature, Dump], NativeFunction]
    tune: Callable[[str, str, ModuleOp], None]
    """Called with each stage's name and spec and the module, before the stage runs."""


@dataclass(frozen=True)
class _Text:
    """Text made only when printed (only dumping prints it)."""

    make: Callable[[], str]

    def __str__(self) -> str:
        return self.make()


def _build_cpu(module: ModuleOp, signature: NativeSignature, dump: Dump) -> NativeFunction:
    engine = JitEngine(str(translate_module(module)))
    dump("codegen", _Text(lambda: engine.optimized_ir), "ll")
    return NativeFunction(engine, signature)


def _cpu_stages(code: CodeOptions) -> tuple[tuple[str, str], ...]:
    return cpu_stages(freeze_weights=code.freeze_weights, pack_weights=code.pack_weights,
                      autotune=code.autotune)


TARGETS: dict[str, Target] = {"cpu": Target("cpu", _cpu_stages, _build_cpu, tune_schedule)}
