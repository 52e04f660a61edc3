"""What `litho bench` prints and writes: a table, a JSON file and a chart of the ratios."""

from __future__ import annotations

import json
import math
import platform
from collections.abc import Sequence
from pathlib import Path

from litho.benchmarks.suite import Result

MODEL_KINDS = ("block", "model")


def _milliseconds(result: Result, name: str) -> str:
    if name in result.seconds:
        return f"{result.seconds[name] * 1e3:.3f}"
    return "wrong" if name in result.wrong else "-"


def _ratio(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else "-"


def _throughput(result: Result, peak_gflops: float) -> str:
    gflops = result.gflops("litho")
    if gflops is not None:
        return f"{gflops:.1f} GFLOP/s ({100 * gflops / peak_gflops:.0f}%)"
    bandwidth = result.gbytes_per_second("litho")
    return f"{bandwidth:.1f} GB/s" if bandwidth is not None else ""


def geometric_mean(values: Sequence[float]) -> float | None:
    return math.exp(sum(map(math.log, values)) / len(values)) if values else None


def table(results: Sequence[Result], contenders: Sequence[str], peak_gflops: float) -> str:
    """Per workload: ms per call of each contender, litho's ratios, its throughput and
    compile seconds; then the geometric means of litho's ratios."""
    others = [name for name in contenders if name not in ("eager", "litho")]
    compiled = [name for name in contenders
                if name in ("litho", "litho-tuned", "inductor", "onnxruntime")]
    header = (f"{'workload':<28}" + "".join(f"{name + ' ms':>15}" for name in contenders)
              + f"{'litho/eager':>12}" + "".join(f"{'litho/' + name:>18}" for name in others)
              + f"  {'litho throughput':<24}"
              + "".join(f"{name + ' compile s':>22}" for name in compiled))
    lines = [header, "-" * len(header)]
    for result in results:
        lines.append(
            f"{result.name:<28}"
            + "".join(f"{_milliseconds(result, name):>15}" for name in contenders)
            + f"{_ratio(result.ratio('litho', 'eager')):>12}"
            + "".join(f"{_ratio(result.ratio('litho', name)):>18}" for name in others)
            + f"  {_throughput(result, peak_gflops):<24}"
            + "".join(f"{result.compile_seconds.get(name, math.nan):>22.2f}"
                      for name in compiled)
        )
    lines.append("")
    lines += [f"{result.name}: {name} {problem}"
              for result in results for name, problem in result.wrong.items()]
    lines += [f"{result.name}: {name} unavailable: {reason}"
              for result in results for name, reason in result.unavailable.items()
              if name != "numpy"]
    for baseline in ("eager", *others):
        for label, kinds in (("models and blocks", MODEL_KINDS), ("all workloads", None)):
            ratios = [r.ratio("litho", baseline) for r in results
                      if kinds is None or r.kind in kinds]
            mean = geometric_mean([ratio for ratio in ratios if ratio is not None])
            if mean is not None:
                verdict = f"{1 / mean:.2f}x faster" if mean < 1 else f"{mean:.2f}x slower"
                lines.append(f"geometric mean litho/{baseline} ({label}): {mean:.2f}, "
                             f"litho {verdict}")
    return "\n".join(lines)


def write_json(path: Path, results: Sequence[Result], contenders: Sequence[str],
               peak_gflops: float, threads: int) -> None:
    path.write_text(json.dumps({
        "machine": {"processor": platform.processor() or platform.machine(),
                    "threads": threads, "peak_gflops": peak_gflops},
        "contenders": list(contenders),
        "results": [result.as_json() for result in results],
    }, indent=2))


def write_chart(path: Path, results: Sequence[Result], contenders: Sequence[str]) -> bool:
    """A bar chart of each contender's time / eager's per workload (log scale); False if
    matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    shown = [name for name in contenders if name != "eager"]
    figure, axes = plt.subplots(figsize=(max(8, 0.5 * len(results) + 3), 5))
    width = 0.8 / max(1, len(shown))
    for offset, name in enumerate(shown):
        positions = [index + offset * width for index in range(len(results))]
        values = [result.ratio(name, "eager") or math.nan for result in results]
        axes.bar(positions, values, width, label=name)
    axes.axhline(1.0, color="black", linewidth=0.8)
    axes.set_yscale("log")
    axes.set_ylabel("time / eager time (below 1: faster than eager)")
    axes.set_xticks([index + 0.4 - width / 2 for index in range(len(results))])
    axes.set_xticklabels([result.name for result in results], rotation=60, ha="right",
                         fontsize=8)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return True
