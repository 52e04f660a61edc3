"""`litho bench`: the suite runs end to end, checks answers, writes its files. Timings are
never asserted (DESIGN.md: they belong in benchmarks, not tests)."""

import json

import pytest
import torch
from litho.benchmarks.suite import _check
from litho.benchmarks.workloads import WORKLOADS, select
from litho.compiler.cli import main
from litho.runtime import timing
from litho.runtime.timing import interleaved_medians


def test_litho_bench_runs_checks_and_writes_json_and_chart(tmp_path, capsys):
    status = main(["bench", "gemm-256x256x256", "softmax", "--contenders", "eager,litho,numpy",
                   "--rounds", "2", "--sample-seconds", "0.001", "--out", str(tmp_path)])
    assert status == 0
    printed = capsys.readouterr().out
    assert "gemm-256x256x256" in printed and "litho/eager" in printed
    report = json.loads((tmp_path / "bench.json").read_text())
    gemm, softmax = report["results"]
    assert set(gemm["seconds"]) == {"eager", "litho", "numpy"}
    assert gemm["gflops"]["litho"] > 0 and gemm["flops"] == 2 * 256**3
    assert set(softmax["seconds"]) == {"eager", "litho"} and "numpy" in softmax["unavailable"]
    assert report["machine"]["peak_gflops"] > 0
    assert (tmp_path / "bench.png").read_bytes().startswith(b"\x89PNG")


def test_a_wrong_answer_is_caught_by_the_check():
    expected = [torch.randn(64, 64, dtype=torch.float64)]
    float32 = [expected[0].float()]
    assert _check(float32, float32, expected) is None
    wrong = [float32[0].clone()]
    wrong[0][3, 5] += 0.01
    assert "max abs difference" in _check(float32, wrong, expected)


def test_workloads_are_chosen_by_name_prefix_or_kind():
    assert [w.name for w in select(["gemm-512"], quick=False)] == ["gemm-512x512x512"]
    assert all(w.kind == "rows" for w in select(["rows"], quick=False))
    assert all(w.quick for w in select([], quick=True))
    assert len(select([], quick=False)) == len(WORKLOADS)
    with pytest.raises(ValueError, match="no workload or kind 'gemx'.*gemm-256"):
        select(["gemx"], quick=False)


def test_contenders_are_interleaved_round_by_round():
    order = []
    medians = interleaved_medians({"a": lambda: order.append("a"),
                                   "b": lambda: order.append("b")},
                                  rounds=3, sample_seconds=0)
    assert set(medians) == {"a", "b"}
    timed = order[2 * 4:]  # after each contender's warm-up and calibration calls
    assert timed == ["a", "b", "b", "a", "a", "b"]


def test_a_contender_that_leaves_threads_spinning_is_followed_by_a_pause(monkeypatch):
    pauses = []
    monkeypatch.setattr(timing.time, "sleep", pauses.append)
    interleaved_medians({"a": lambda: None, "b": lambda: None}, rounds=2, sample_seconds=0,
                        settle={"b": 0.25})
    assert pauses == [0.0, 0.25, 0.25, 0.0]  # rounds a, b then b, a
