"""The llvmlite JIT engine: compiles an LLVM module for the host CPU and calls into it.

```python
engine = JitEngine(llvm_module_text)
kernel = engine.function("forward", argument_count=3)
kernel(x_pointer, out_pointer, arena_pointer)   # the GIL is released during the call
```
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import importlib.util
import pathlib
from collections.abc import Callable

import llvmlite.binding as llvm
from litho.compiler.errors import CompilationError

OPTIMIZATION_LEVEL = 3


@functools.cache
def _initialize_llvm() -> None:
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    llvm.load_library_permanently(openmp_runtime())


def openmp_runtime() -> str:
    """The OpenMP runtime that parallel loops call (`GOMP_parallel`): the one inside the
    torch wheel, so litho's threads and torch's are one team setting, else the system's."""
    torch_spec = importlib.util.find_spec("torch")
    if torch_spec is not None and torch_spec.origin is not None:
        bundled = sorted(pathlib.Path(torch_spec.origin).parent.glob("lib/libgomp*.so*"))
        if bundled:
            return str(bundled[0])
    system = ctypes.util.find_library("gomp")
    if system is None:
        raise CompilationError(
            "no OpenMP runtime (libgomp) found: install torch's wheel or libgomp1"
        )
    return system


def host_target_machine() -> llvm.TargetMachine:
    """A new target machine for this CPU, with all of its features, at -O3.

    Each execution engine takes ownership of its target machine, so none is shared.
    """
    _initialize_llvm()
    target = llvm.Target.from_default_triple()
    return target.create_target_machine(
        cpu=llvm.get_host_cpu_name(),
        features=llvm.get_host_cpu_features().flatten(),
        opt=OPTIMIZATION_LEVEL,
        codemodel="jitdefault",
    )


def optimize(module: llvm.ModuleRef, target_machine: llvm.TargetMachine) -> None:
    """Run LLVM's -O3 pipeline with loop and SLP vectorization but no loop unrolling.

    Full unrolling of the many short static loops of a model (head dims, kernel
    windows) made -O3 take 28 s on a 2-layer Llama and grew the code 7x; without it the
    pipeline takes under 5 s and the vectorizer still interleaves the inner loops.
    """
    options = llvm.create_pipeline_tuning_options(speed_level=OPTIMIZATION_LEVEL)
    options.loop_vectorization = True
    options.slp_vectorization = True
    options.loop_unrolling = False
    pass_builder = llvm.create_pass_builder(target_machine, options)
    pass_builder.getModulePassManager().run(module, pass_builder)


class JitEngine:
    """Owns one compiled LLVM module; its functions live as long as the engine does."""

    def __init__(self, llvm_ir: str):
        target_machine = host_target_machine()
        module = llvm.parse_assembly(llvm_ir)
        module.triple = target_machine.triple
        module.data_layout = str(target_machine.target_data)
        module.verify()
        optimize(module, target_machine)
        self._module = module
        self._engine = llvm.create_mcjit_compiler(module, target_machine)
        self._engine.finalize_object()
        self._engine.run_static_constructors()

    @property
    def optimized_ir(self) -> str:
        """The module's LLVM IR after optimization, as text."""
        return str(self._module)

    def function(self, name: str, argument_count: int) -> Callable[..., None]:
        """The native function `name` taking `argument_count` pointers and returning void."""
        address = self._engine.get_function_address(name)
        if not address:
            raise KeyError(f"the compiled module has no function {name!r}")
        signature = ctypes.CFUNCTYPE(None, *([ctypes.c_void_p] * argument_count))
        return signature(address)
