"""litho's reference interpreter: runs a module's entry function on numpy arrays.

Every level runs in it (dialects/interpreter.py registers each dialect's numpy
implementations), so a pass can be checked against the level above.

```python
outputs = run_function(module, [x, w])  # the entry func.func, inputs as numpy arrays
```
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from litho.compiler.entry import entry_function, is_destination_passing, native_signature
from litho.dialects.interpreter import make_interpreter
from litho.lowering.common.parameters import ParameterStore, bind_arguments
from xdsl.dialects.builtin import ModuleOp


def run_function(
    module: ModuleOp, inputs: Sequence[np.ndarray], store: ParameterStore | None = None
) -> list[np.ndarray]:
    """Run the entry function on `inputs` and return its results as numpy arrays.

    With a parameter `store`, `inputs` are the arguments that are not weights, and the
    weights come from the store by name (those passes derived are computed). A
    bufferized function takes its results as output arguments (destination passing):
    they are allocated here from its `NativeSignature`, zero-filled, and returned.
    """
    function = entry_function(module)
    if store is not None:
        inputs = bind_arguments(function, store, inputs)
    arguments = [np.array(value, order="C") for value in inputs]
    interpreter = make_interpreter(module)
    if not is_destination_passing(function):
        return [np.asarray(value) for value in interpreter.call_op(function, tuple(arguments))]
    outputs = [np.zeros(spec.shape, spec.dtype) for spec in native_signature(module).outputs]
    interpreter.call_op(function, (*arguments, *outputs))
    return outputs
