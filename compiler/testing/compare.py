"""Comparing results under a `Tolerance`, and the inputs of a repro file.

Used by the property checks and by `litho-opt --check-semantics`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from litho.lowering.tolerance import Tolerance


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
    """The inputs `save_inputs` wrote, in argument order."""
    with np.load(path) as archive:
        return [archive[f"arg{index}"] for index in range(len(archive.files))]
