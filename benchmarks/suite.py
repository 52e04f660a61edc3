"""`litho bench`: run workloads against every contender and report the ratios.

For each workload, every contender is prepared and called once (the compile time), its
outputs are checked against eager (DESIGN.md's tolerances for matmul and reduction work,
or failing that the fp64 rule: its RMS error against a float64 run at most twice
eager's), and then all contenders that ran correctly are timed together, interleaved
round by round (runtime/timing.py), each sample after a pause for the threads the last
one left spinning. A contender that gives a wrong answer is reported as wrong and not
timed.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import torch
from litho.benchmarks.contenders import Unavailable, output_tensors, prepare, settle_seconds
from litho.benchmarks.workloads import Workload
from litho.compiler.testing.fuzz import CONTRACTION_TOLERANCE, result_mismatch
from litho.runtime.timing import interleaved_medians


@dataclass
class Result:
    """One workload's measurements; times in seconds per call, keyed by contender."""

    name: str
    kind: str
    flops: int
    bytes: int
    compile_seconds: dict[str, float] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    wrong: dict[str, str] = field(default_factory=dict)

    def ratio(self, contender: str, baseline: str) -> float | None:
        """contender's time / baseline's (below 1: contender is faster)."""
        if contender in self.seconds and baseline in self.seconds:
            return self.seconds[contender] / self.seconds[baseline]
        return None

    def gflops(self, contender: str) -> float | None:
        if self.flops and contender in self.seconds:
            return self.flops / self.seconds[contender] / 1e9
        return None

    def gbytes_per_second(self, contender: str) -> float | None:
        if self.bytes and self.kind == "rows" and contender in self.seconds:
            return self.bytes / self.seconds[contender] / 1e9
        return None

    def as_json(self) -> dict:
        record = asdict(self)
        record["ratios_to_eager"] = {name: self.ratio(name, "eager") for name in self.seconds}
        record["gflops"] = {name: self.gflops(name) for name in self.seconds if self.flops}
        return record


def _float64(module: torch.nn.Module, inputs: tuple) -> list[torch.Tensor]:
    """The module's outputs computed in float64, the reference of the fp64 rule."""
    widened = copy.deepcopy(module).double()
    with torch.no_grad():
        output = widened(*(t.double() if t.is_floating_point() else t for t in inputs))
    return output_tensors(output)


def _check(expected: list[torch.Tensor], actual: list[torch.Tensor],
           reference: list[torch.Tensor]) -> str | None:
    if len(actual) != len(expected):
        return f"{len(actual)} outputs where eager gives {len(expected)}"
    rtol, atol = CONTRACTION_TOLERANCE
    for index, (want, got, exact) in enumerate(zip(expected, actual, reference, strict=True)):
        problem = result_mismatch(want, got.to(want.dtype), exact, rtol, atol)
        if problem:
            return f"output {index}: {problem}"
    return None


def run_workload(workload: Workload, contenders: Sequence[str], rounds: int,
                 sample_seconds: float, progress) -> Result:
    """Prepare, check and time every contender on one workload."""
    module, inputs = workload.build()
    result = Result(workload.name, workload.kind, workload.flops, workload.bytes)
    calls, expected, reference = {}, None, None
    for name in contenders:
        progress.set_postfix_str(f"{name}: compiling")
        start = time.perf_counter()
        try:
            call = prepare(name, workload, module, inputs)
            output = output_tensors(call())
        except Unavailable as reason:
            result.unavailable[name] = str(reason)
            continue
        result.compile_seconds[name] = time.perf_counter() - start
        if expected is None:
            expected, reference = output, _float64(module, inputs)
        problem = _check(expected, output, reference)
        if problem:
            result.wrong[name] = problem
            continue
        calls[name] = call
    progress.set_postfix_str("timing")
    result.seconds = interleaved_medians(calls, rounds, sample_seconds,
                                         on_round=lambda: progress.update(1),
                                         settle={name: settle_seconds(name) for name in calls})
    return result
