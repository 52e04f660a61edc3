"""Shared pytest hooks: every litho module loaded first; the OpInfo conformance table after
the run."""

from __future__ import annotations

import importlib
import pkgutil
from collections import defaultdict

LITHO_PACKAGES = (
    "litho.benchmarks", "litho.compiler", "litho.dialects", "litho.lowering", "litho.runtime"
)


def pytest_configure(config) -> None:
    """Import every litho module before any test runs.

    Hypothesis draws some values among the literals of the local modules loaded at the
    time (its "local constants"), so a seeded generator drew other examples depending on
    which tests had run before it in a worker: a planted bug was caught in one order and
    missed in another. With every module loaded first, each seed draws one set of
    examples whatever the order.
    """
    for name in LITHO_PACKAGES:
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, f"{name}."):
            importlib.import_module(module.name)


def pytest_terminal_summary(terminalreporter) -> None:
    """Samples passed per claimed ATen op, from tests/test_opinfo.py's recorded results.

    Read from the test reports, so it works with pytest-xdist workers too.
    """
    per_op: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    labels: dict[str, set[str]] = defaultdict(set)
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", None) != "call":
                continue
            for name, value in report.user_properties:
                if name != "opinfo":
                    continue
                claimed, label, passed, total = value
                per_op[claimed][0] += passed
                per_op[claimed][1] += total
                labels[claimed].add(label)
    if not per_op:
        return
    terminalreporter.section("OpInfo conformance: fp32 CPU samples litho compiles and matches")
    for claimed in sorted(per_op):
        passed, total = per_op[claimed]
        terminalreporter.write_line(
            f"aten.{claimed:<38} {passed:5d} / {total:<5d} ({', '.join(sorted(labels[claimed]))})"
        )
    passed = sum(counts[0] for counts in per_op.values())
    total = sum(counts[1] for counts in per_op.values())
    terminalreporter.write_line(f"{'all claimed ops':<44} {passed:5d} / {total}")
