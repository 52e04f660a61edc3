"""Differential fuzzing of the whole compiler: `jit` of generated torch modules vs eager.

Each case is a generated `Program` (on f32, f64, i32, i64 and bool tensors) rendered as a
torch module, compiled with `jit` (so capture, import, every pass, codegen and the
runtime all take part) and compared with
torch eager under DESIGN.md's tolerances: integers and booleans exact; floats within
`assert_close`'s fp32 defaults, or rtol 1e-4 / atol 1e-5 where the program reduces or
multiplies matrices; failing that, within the fp64 rule (litho's RMS error against a
float64 run of the program at most twice eager's). Cases whose eager result is not
finite are discarded.

```
litho fuzz --cases 20000          # a long campaign with a random seed
```

A mismatch is reduced to a small program and written as a `.py` repro (which rebuilds
the module and compares again), the program's `.mlir` and its inputs' `.npz`.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from hypothesis import HealthCheck, Phase, given, reject, seed, settings
from hypothesis import strategies as st
from litho.compiler.driver import jit
from litho.compiler.testing.checks import repro_folder
from litho.compiler.testing.compare import all_finite, save_inputs
from litho.compiler.testing.inputs import inputs_for
from litho.compiler.testing.program import Program
from litho.compiler.testing.reduce import reduce_program
from litho.compiler.testing.strategies import ALL_DTYPES, programs

ELEMENTWISE_TOLERANCE = (1.3e-6, 1e-5)
CONTRACTION_TOLERANCE = (1e-4, 1e-5)
CONTRACTIONS = ("matmul", "reduce_sum", "reduce_mean")
FUZZ_DTYPES = ALL_DTYPES  # f32, f64, i32, i64 and bool


@dataclass
class FuzzReport:
    """Cases compared, cases discarded, time taken, and how many cases had a value of
    each dtype."""

    cases: int = 0
    discarded: int = 0
    seconds: float = 0.0
    dtypes: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        dtypes = ", ".join(f"{name} {count}" for name, count in sorted(self.dtypes.items()))
        return (
            f"litho fuzz: {self.cases} cases compared with torch eager, 0 mismatches, "
            f"{self.discarded} discarded (non-finite reference), {self.seconds:.0f} s; "
            f"cases with values of each dtype: {dtypes}"
        )


class FuzzMismatch(AssertionError):
    """`jit` disagreed with torch eager; the message names the repro files."""


@dataclass
class _Mismatch(Exception):
    problem: str
    program: Program
    inputs: list[np.ndarray]


def compare_with_eager(program: Program, inputs: Sequence[np.ndarray]) -> str | None:
    """None if `jit` of the program's torch module matches eager on `inputs`, else why.

    Returns "discard" when eager's own result is not finite.
    """
    module = program.to_torch()
    tensors = [torch.from_numpy(np.array(value)) for value in inputs]
    with torch.no_grad():
        expected = module(*tensors)
        if not all_finite([value.numpy() for value in expected]):
            return "discard"
        try:
            actual = jit(module)(*tensors)
        except Exception as error:  # any exception is a finding
            return f"jit raised {type(error).__name__}: {error}"
        widened = program.with_dtype("f32", "f64").to_torch()
        reference = widened(*(_widen(tensor) for tensor in tensors))
    contracts = any(node.op in CONTRACTIONS for node in program.nodes)
    rtol, atol = CONTRACTION_TOLERANCE if contracts else ELEMENTWISE_TOLERANCE
    for index, (want, got, exact) in enumerate(zip(expected, actual, reference, strict=True)):
        problem = result_mismatch(want, got, exact, rtol, atol)
        if problem:
            return f"result {index}: {problem}"
    return None


def _widen(tensor: torch.Tensor) -> torch.Tensor:
    return tensor.double() if tensor.is_floating_point() else tensor


def result_mismatch(
    want: torch.Tensor, got: torch.Tensor, exact: torch.Tensor, rtol: float, atol: float
) -> str | None:
    if want.dtype != got.dtype or want.shape != got.shape:
        return f"expected {want.dtype} {list(want.shape)}, got {got.dtype} {list(got.shape)}"
    if not want.is_floating_point():
        if torch.equal(want, got):
            return None
        return f"{int((want != got).sum())} of {want.numel()} element(s) differ"
    if torch.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True):
        return None
    litho_error = _rms(got.double() - exact)
    eager_error = _rms(want.double() - exact)
    if litho_error <= 2 * eager_error + 1e-12:
        return None
    worst = float((got - want).abs().max())
    return (
        f"max abs difference {worst:.3g} (rtol {rtol}, atol {atol}); RMS error against "
        f"float64 is {litho_error:.3g} for litho, {eager_error:.3g} for eager"
    )


def _rms(difference: torch.Tensor) -> float:
    return math.sqrt(float((difference**2).mean())) if difference.numel() else 0.0


def fuzz_jit(
    cases: int = 500,
    random_seed: int | None = 0,
    max_ops: int = 8,
    dtypes: Sequence[str] = FUZZ_DTYPES,
    progress: bool = False,
) -> FuzzReport:
    """Compare `jit` with eager on `cases` generated programs; raise FuzzMismatch on the
    first disagreement, reduced, with its repro files."""
    report = FuzzReport()
    start = time.perf_counter()

    @settings(
        max_examples=cases,
        deadline=None,
        database=None,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        print_blob=False,
    )
    @given(programs(max_ops=max_ops, dtypes=tuple(dtypes)), st.data())
    def agrees_with_eager(program: Program, data: st.DataObject) -> None:
        inputs = data.draw(inputs_for(program), label="inputs")
        problem = compare_with_eager(program, inputs)
        if problem == "discard":
            report.discarded += 1
            reject()
        if problem:
            raise _Mismatch(problem, program, inputs)
        report.cases += 1
        report.dtypes.update(_dtypes_of(program))
        if progress and report.cases % 100 == 0:
            print(f"  {report.cases} cases", file=sys.stderr)

    if random_seed is not None:
        agrees_with_eager = seed(random_seed)(agrees_with_eager)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            agrees_with_eager()
        except _Mismatch as mismatch:
            raise FuzzMismatch(_write_repro(_reduce(mismatch))) from None
    report.seconds = time.perf_counter() - start
    return report


def _dtypes_of(program: Program) -> set[str]:
    values = [argument.spec for argument in program.arguments]
    return {spec.dtype for spec in (*values, *(node.result for node in program.nodes))}


def _reduce(mismatch: _Mismatch) -> _Mismatch:
    last = mismatch

    def still_fails(program: Program, inputs: list[np.ndarray]) -> bool:
        nonlocal last
        problem = compare_with_eager(program, inputs)
        if problem and problem != "discard":
            last = _Mismatch(problem, program, inputs)
            return True
        return False

    reduce_program(mismatch.program, mismatch.inputs, still_fails)
    return last


def _write_repro(mismatch: _Mismatch) -> str:
    folder = repro_folder()
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"jit-vs-eager-{abs(hash(repr(mismatch.program))) % 10**8:08d}"
    save_inputs(stem.with_suffix(".npz"), mismatch.inputs)
    stem.with_suffix(".mlir").write_text(str(mismatch.program.to_module()) + "\n")
    stem.with_suffix(".py").write_text(
        "# litho fuzz repro: jit against torch eager\n"
        "from litho.compiler.testing.fuzz import replay\n"
        "from litho.compiler.testing.program import Argument, Node, Program, ValueSpec\n\n"
        f"program = {mismatch.program!r}\n"
        f"replay(program, {str(stem.with_suffix('.npz'))!r})\n"
    )
    return (
        f"jit disagrees with torch eager: {mismatch.problem}\n"
        f"Reduced program ({len(mismatch.program.nodes)} op(s)): {stem}.mlir, inputs "
        f"{stem}.npz\nReproduce: python {stem}.py\n\n{mismatch.program.to_module()}"
    )


def replay(program: Program, inputs_path: str | Path) -> None:
    """Rerun one repro: print whether `jit` matches eager on the saved inputs."""
    from litho.compiler.testing.compare import load_inputs

    problem = compare_with_eager(program, load_inputs(inputs_path))
    print(f"mismatch: {problem}" if problem else "jit matches torch eager")


def run_campaign(cases: int, random_seed: int | None, max_ops: int) -> int:
    """`litho fuzz`: a differential campaign; exit status 1 on a mismatch."""
    print(f"litho fuzz: {cases} cases, seed {random_seed}, up to {max_ops} ops", file=sys.stderr)
    try:
        report = fuzz_jit(cases, random_seed, max_ops, progress=True)
    except FuzzMismatch as mismatch:
        print(mismatch, file=sys.stderr)
        return 1
    print(report.summary())
    return 0
