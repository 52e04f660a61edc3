"""`litho bench [WORKLOAD|KIND ...] [--quick]`: the suite, a table, a JSON file and a chart.

```sh
litho bench --quick                          # the quick subset, every contender
litho bench gemm rows --contenders eager,litho
litho bench gpt2-12L-d256 --rounds 30 --out results/
```
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import torch
from litho.benchmarks.contenders import CONTENDERS
from litho.benchmarks.peak import core_peak_gflops
from litho.benchmarks.report import table, write_chart, write_json
from litho.benchmarks.suite import run_workload
from litho.benchmarks.workloads import select
from tqdm import tqdm


def run_bench(names: Sequence[str], quick: bool, contenders: Sequence[str], rounds: int,
              sample_seconds: float, out: Path) -> int:
    """Run the chosen workloads, print the table, write `bench.json` and `bench.png` to
    `out`; 1 if a contender gave a wrong answer, else 0."""
    workloads = select(list(names), quick)
    contenders = [name for name in CONTENDERS if name in contenders]
    threads = torch.get_num_threads()
    peak = core_peak_gflops() * threads
    print(f"litho bench: {len(workloads)} workloads, contenders {', '.join(contenders)}; "
          f"fp32 FMA peak {peak:.0f} GFLOP/s on {threads} threads (measured)")
    results = []
    with tqdm(total=len(workloads) * rounds, unit="round", leave=False) as progress:
        for workload in workloads:
            progress.set_description(workload.name)
            results.append(run_workload(workload, contenders, rounds, sample_seconds,
                                        progress))
    print(table(results, contenders, peak))
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "bench.json", results, contenders, peak, threads)
    charted = write_chart(out / "bench.png", results, contenders)
    print(f"wrote {out / 'bench.json'}"
          + (f" and {out / 'bench.png'}" if charted else " (no chart: matplotlib missing)"))
    return 1 if any(result.wrong for result in results) else 0
