"""Inputs for generated programs: arrays in each argument's range, one drawn seed each."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from litho.compiler.testing.bounds import INPUT_GRID
from litho.compiler.testing.program import Argument, Program
from litho.dialects.types import numpy_dtype


def inputs_for(program: Program) -> st.SearchStrategy[list[np.ndarray]]:
    """Input arrays for `program`'s arguments, each in its argument's range.

    Floats are multiples of 1/4, so sums and products of a few of them are exact. Each
    array comes from one drawn seed: drawn element by element, the inputs of a few 4x4x4
    tensors overran hypothesis's buffer (so programs with large tensors were dropped), and
    most of hypothesis's mutations changed inputs rather than programs (100 examples of
    `programs()` with their inputs held about 50 distinct programs).
    """
    return st.tuples(*(_argument_values(argument) for argument in program.arguments)).map(list)


def _argument_values(argument: Argument) -> st.SearchStrategy[np.ndarray]:
    spec = argument.spec
    dtype = numpy_dtype(spec.tensor_type.get_element_type())
    low, high = _integer_range(argument)

    def from_seed(seed: int) -> np.ndarray:
        generator = np.random.default_rng(seed)
        values = generator.integers(low, high, size=spec.shape, endpoint=True)
        return (values / INPUT_GRID).astype(dtype) if spec.is_float else values.astype(dtype)

    return st.integers(0, 2**32 - 1).map(from_seed)


def _integer_range(argument: Argument) -> tuple[int, int]:
    """The integers the values of `argument` are drawn from (on the input grid, for floats)."""
    if argument.spec.dtype == "i1":
        return 0, 1
    if argument.spec.is_float:
        return int(argument.low * INPUT_GRID), int(argument.high * INPUT_GRID)
    return int(argument.low), int(argument.high)
