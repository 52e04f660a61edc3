"""The interpreter of every level: each dialect's numpy implementations, registered once.

The implementations live beside the ops: `dialects/tensor/interpreter.py` (litho_tensor),
`dialects/guard.py` (litho_guard), `dialects/upstream_interpreter.py` (the arith, math,
tensor, memref and linalg ops litho emits), and xDSL's for func, scf and affine.
`compiler/interpreter.py` runs a compiled module's entry function with it; parameter
derivations (lowering/common/parameters.py) run with it too.
"""

from __future__ import annotations

from litho.dialects.guard import GuardFunctions
from litho.dialects.tensor.interpreter import LithoTensorFunctions
from litho.dialects.upstream_interpreter import UpstreamFunctions
from xdsl.dialects.builtin import ModuleOp
from xdsl.interpreter import Interpreter
from xdsl.interpreters.affine import AffineFunctions
from xdsl.interpreters.func import FuncFunctions
from xdsl.interpreters.scf import ScfFunctions


def make_interpreter(module: ModuleOp) -> Interpreter:
    """An interpreter for `module` that knows every op of every litho level."""
    interpreter = Interpreter(module)
    for functions in (
        FuncFunctions(),
        ScfFunctions(),
        AffineFunctions(),
        UpstreamFunctions(),
        LithoTensorFunctions(),
        GuardFunctions(),
    ):
        interpreter.register_implementations(functions)
    return interpreter
