"""Comparing results under a `Tolerance`, and the inputs of a repro file.

Used by the property checks and by `litho-opt --check-semantics`.
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from litho.compiler.entry import entry_function, is_destination_passing, native_signature
from litho.compiler.errors import LithoError
from litho.dialects.attributes import OUTPUT_COUNT_ATTRIBUTE
from litho.dialects.types import numpy_dtype
from litho.lowering.common.tolerance import Tolerance
from xdsl.dialects.builtin import MemRefType, ModuleOp, TensorType
from xdsl.ir import Attribute


def all_finite(values: Sequence[np.ndarray]) -> bool:
    """Whether no float in `values` is NaN or infinite."""
    return all(
        np.isfinite(value).all() for value in values if np.asarray(value).dtype.kind == "f"
    )


def mismatch(
    expected: Sequence[np.ndarray], actual: Sequence[np.ndarray], tolerance: Tolerance
) -> str | None:
    """None if `actual` matches `expected` within `tolerance`, else what differs."""
    if len(expected) != len(actual):
        return f"{len(actual)} result(s) where {len(expected)} were expected"
    for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
        want, got = np.asarray(want), np.asarray(got)
        if want.shape != got.shape or want.dtype != got.dtype:
            return (
                f"result {index}: expected {want.dtype} of shape {want.shape}, "
                f"got {got.dtype} of shape {got.shape}"
            )
        problem = _value_mismatch(want, got, tolerance)
        if problem:
            return f"result {index}: {problem}"
    return None


def _value_mismatch(want: np.ndarray, got: np.ndarray, tolerance: Tolerance) -> str | None:
    if want.dtype.kind != "f" or tolerance.kind == "exact":
        bad = ~((want == got) | (np.isnan(want) & np.isnan(got)) if want.dtype.kind == "f"
                else want == got)
    elif tolerance.kind == "quantizing":
        return _sqnr_mismatch(want, got, tolerance.min_sqnr_db)
    else:
        bad = ~np.isclose(got, want, rtol=tolerance.rtol, atol=tolerance.atol, equal_nan=True)
    if not bad.any():
        return None
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    return (
        f"{int(bad.sum())} of {want.size} element(s) differ ({tolerance.describe()}); "
        f"first at index {index}: expected {want[index]!r}, got {got[index]!r}"
    )


def _sqnr_mismatch(want: np.ndarray, got: np.ndarray, min_sqnr_db: float) -> str | None:
    signal = float(np.sum(want.astype(np.float64) ** 2))
    noise = float(np.sum((want.astype(np.float64) - got) ** 2))
    if noise == 0:
        return None
    sqnr = 10 * math.log10(signal / noise) if signal else -math.inf
    if sqnr >= min_sqnr_db:
        return None
    return f"SQNR {sqnr:.1f} dB is below {min_sqnr_db} dB"


def save_inputs(path: Path, inputs: Sequence[np.ndarray]) -> None:
    """Write `inputs` as an .npz file whose arrays are arg0, arg1, ..."""
    np.savez(path, **{f"arg{index}": value for index, value in enumerate(inputs)})


def load_inputs(path: str | Path) -> list[np.ndarray]:
    """The inputs `save_inputs` wrote, in argument order.

    Raises a LithoError naming `path` if it cannot be read, is not an .npz archive, or
    holds arrays other than arg0, arg1, ...
    """
    try:
        loaded = np.load(path)
    except OSError as error:
        raise LithoError(f"cannot read inputs {path}: {error.strerror or error}") from None
    except (ValueError, EOFError, zipfile.BadZipFile):
        raise LithoError(f"inputs {path} is not an .npz archive (np.savez writes one)") from None
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise LithoError(
            f"inputs {path} holds one .npy array; expected an .npz archive of arrays "
            "arg0, arg1, ... (np.savez(path, arg0=..., arg1=...))"
        )
    with loaded as archive:
        return _arrays_in_argument_order(archive, path)


def _arrays_in_argument_order(archive: np.lib.npyio.NpzFile, path: str | Path) -> list:
    names = [f"arg{index}" for index in range(len(archive.files))]
    if sorted(archive.files) != sorted(names):
        raise LithoError(
            f"inputs {path} holds arrays {sorted(archive.files)}; expected them named "
            f"{names}, one per function argument in order"
        )
    try:
        return [archive[name] for name in names]
    except (ValueError, OSError, zipfile.BadZipFile) as error:
        raise LithoError(f"inputs {path} has an array that cannot be read: {error}") from None


def check_inputs_fit(module: ModuleOp, inputs: Sequence[np.ndarray], source: str) -> None:
    """Raise a LithoError naming the first of `inputs` that does not fit `module`'s entry.

    One input per argument, of the argument's shape and dtype; a bufferized function
    takes its results as output arguments (its `NativeSignature`), which need no input.
    """
    try:
        function = entry_function(module)
    except ValueError:
        raise LithoError(f"the IR has no func.func to run on the inputs in {source}") from None
    argument_types = function.function_type.inputs.data
    name = f"@{function.sym_name.data}"
    besides = ""
    if is_destination_passing(function):
        argument_types = argument_types[: len(native_signature(module).inputs)]
        besides = " besides its outputs"
    elif not function.function_type.outputs.data:
        raise LithoError(
            f"{name} returns nothing and has no {OUTPUT_COUNT_ATTRIBUTE} attribute, so it "
            f"has no results to compare; mark how many of its trailing arguments are "
            f"outputs ({OUTPUT_COUNT_ATTRIBUTE} = N : i64, as litho-bufferize does)"
        )
    if len(inputs) != len(argument_types):
        raise LithoError(
            f"inputs {source} holds {len(inputs)} array(s) but {name} takes "
            f"{len(argument_types)} argument(s){besides}"
        )
    for index, (value, argument_type) in enumerate(zip(inputs, argument_types, strict=True)):
        problem = _argument_mismatch(value, argument_type)
        if problem:
            raise LithoError(f"inputs {source}: arg{index} of {name} {problem}")


def _argument_mismatch(value: np.ndarray, argument_type: Attribute) -> str | None:
    """What differs between `value` and an argument of `argument_type`, if anything."""
    shape: tuple[int, ...] = ()
    element_type = argument_type
    if isinstance(argument_type, TensorType | MemRefType):
        shape = tuple(argument_type.get_shape())
        element_type = argument_type.get_element_type()
    try:
        dtype = numpy_dtype(element_type)
    except NotImplementedError:  # the interpreter decides what it accepts
        return None
    if value.shape == shape and value.dtype == dtype:
        return None
    return (
        f"is {argument_type}, which needs {dtype} of shape {shape}; "
        f"got {value.dtype} of shape {value.shape}"
    )
