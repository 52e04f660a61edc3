"""Side-by-side timing, for the bench and the autotuner: contenders interleaved round by
round, medians per call.

This machine is shared and noisy, so a contender is never timed in one block after
another: each round runs every contender once (in an order that rotates from round to
round), and a contender's time is the median over rounds. Within a round a contender runs
`inner` calls back to back, enough for about `sample_seconds`, so timer resolution and
per-sample overhead do not count. Thread pools spin for a while after a call, taking
cores from whatever runs next; a pause after each contender's sample (`settle`, untimed)
lets contenders of different runtimes each start on idle cores.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Mapping

WARMUP_CALLS = 3


def calls_per_sample(call: Callable[[], object], sample_seconds: float) -> int:
    """How many calls of `call` take about `sample_seconds` (after warm-up calls)."""
    for _ in range(WARMUP_CALLS):
        call()
    start = time.perf_counter()
    call()
    once = max(time.perf_counter() - start, 1e-7)
    return max(1, math.ceil(sample_seconds / once))


def interleaved_samples(
    calls: Mapping[str, Callable[[], object]],
    rounds: int = 15,
    sample_seconds: float = 0.02,
    on_round: Callable[[], None] | None = None,
    settle: Mapping[str, float] | None = None,
) -> dict[str, list[float]]:
    """Seconds per call of each contender, one sample per round, in interleaved rounds
    (after a contender's sample, a pause of `settle[name]` seconds where given)."""
    settle = settle or {}
    inner = {name: calls_per_sample(call, sample_seconds) for name, call in calls.items()}
    samples: dict[str, list[float]] = {name: [] for name in calls}
    names = list(calls)
    for round_index in range(rounds):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            call, count = calls[name], inner[name]
            start = time.perf_counter()
            for _ in range(count):
                call()
            samples[name].append((time.perf_counter() - start) / count)
            time.sleep(settle.get(name, 0.0))
        if on_round is not None:
            on_round()
    return samples


def interleaved_medians(
    calls: Mapping[str, Callable[[], object]],
    rounds: int = 15,
    sample_seconds: float = 0.02,
    on_round: Callable[[], None] | None = None,
    settle: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """Median seconds per call of each contender, timed in interleaved rounds."""
    samples = interleaved_samples(calls, rounds, sample_seconds, on_round, settle)
    return {name: statistics.median(times) for name, times in samples.items()}
