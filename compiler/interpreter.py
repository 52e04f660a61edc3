"""litho's reference interpreter: runs the IR of every level on numpy arrays.

The implementations live beside the ops: `dialects/tensor/interpreter.py` (litho_tensor),
`dialects/guard.py` (litho_guard), `dialects/upstream_interpreter.py` (the arith, math,
tensor, memref and linalg ops litho emits), and xDSL's for func, scf and affine.

```python
outputs = run_function(module, [x, w])  # the entry func.func, inputs as numpy arrays
```
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from litho.compiler.entry import entry_function, is_destination_passing, native_signature
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


def run_function(module: ModuleOp, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Run the entry function on `inputs` and return its results as numpy arrays.

    A bufferized function takes its results as output arguments (destination passing):
    they are allocated here from its `NativeSignature`, zero-filled, and returned.
    """
    function = entry_function(module)
    arguments = [np.array(value, order="C") for value in inputs]
    interpreter = make_interpreter(module)
    if not is_destination_passing(function):
        return [np.asarray(value) for value in interpreter.call_op(function, tuple(arguments))]
    outputs = [np.zeros(spec.shape, spec.dtype) for spec in native_signature(module).outputs]
    interpreter.call_op(function, (*arguments, *outputs))
    return outputs
