"""litho's kit for property-based testing of rewrites (see docs/writing-a-pass.md).

- `programs()`, `inputs_for(program)`: hypothesis strategies of well-typed `litho_tensor`
  programs and of their inputs; `movement_programs()` for the data-movement and window ops
  (slices, concat, gathers, cumsum, pad, convolution, pooling); `with_weights(strategy)`
  marks some arguments as model weights, for parameter passes; `attention_programs()`
  for attention written out in the ops capture gives (matmuls, mask, softmax).
- `check_pass(pass_or_pipeline)`, `check_patterns([pattern, ...])`: run generated programs
  through the interpreter before and after, under the declared tolerance; a failure is
  reduced to a small `.mlir` repro with its inputs and a `litho-opt` command (or, for
  patterns litho-opt cannot load, a `reproduce_patterns(...)` call). A miscompile raises
  `SemanticsCheckFailure`, a pattern that never fired `PatternNeverFired`; both are
  `CheckFailure`s.
- `litho.compiler.testing.fuzz.fuzz_jit(cases)`: differential fuzzing of `jit` against torch
  eager (`litho fuzz` on the command line).
- `litho.compiler.testing.scenarios`: `call_scenarios()` (weight updates between calls,
  in-place updates, non-tensor outputs, first calls from threads) and `index_cases()`
  (indices in and out of range) with their checks against eager.
- `litho.compiler.testing.malformed.malformed_ir()`: generated malformed IR, for verifier
  robustness.
"""

from litho.compiler.testing.attention import attention_programs
from litho.compiler.testing.checks import (
    CheckFailure,
    CheckReport,
    PatternNeverFired,
    SemanticsCheckFailure,
    check_pass,
    check_patterns,
    reproduce_patterns,
)
from litho.compiler.testing.inputs import inputs_for
from litho.compiler.testing.movement import MOVEMENT_OPS, movement_programs
from litho.compiler.testing.program import Argument, Node, Program, ValueSpec
from litho.compiler.testing.strategies import ALL_OPS, programs, with_weights
from litho.lowering.common.tolerance import EXACT, REASSOCIATE, Tolerance, quantizing

__all__ = [
    "ALL_OPS",
    "EXACT",
    "MOVEMENT_OPS",
    "REASSOCIATE",
    "Argument",
    "attention_programs",
    "CheckFailure",
    "CheckReport",
    "Node",
    "PatternNeverFired",
    "Program",
    "SemanticsCheckFailure",
    "Tolerance",
    "ValueSpec",
    "check_pass",
    "check_patterns",
    "inputs_for",
    "movement_programs",
    "programs",
    "quantizing",
    "reproduce_patterns",
    "with_weights",
]
