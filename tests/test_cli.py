"""The command-line tools: `litho demo`, `litho-opt`, and litho inside plain `xdsl-opt`."""

import subprocess
import sys
from pathlib import Path

SCRIPTS = Path(sys.executable).parent
OPS_FILE = Path(__file__).parent / "filecheck" / "dialects" / "litho_tensor_ops.mlir"


def run(tool, *arguments):
    return subprocess.run(
        [str(SCRIPTS / tool), *arguments], capture_output=True, text=True, check=True
    ).stdout


def test_litho_demo_checks_against_eager_and_reports():
    output = run("litho", "demo", "--batch", "2", "--length", "8", "--width", "32")
    assert "DemoGPT" in output
    assert "max |litho - eager|" in output
    for level in ("L1 litho_tensor", "L2 linalg", "L3 loops"):
        assert level in output
    assert "litho/eager" in output


def test_litho_opt_writes_each_level():
    pipeline = "convert-litho-tensor-to-linalg,litho-bufferize,convert-linalg-to-loops"
    for passes, marker in (
        ("convert-litho-tensor-to-linalg", "linalg.generic"),
        (pipeline, "scf.for"),
    ):
        output = run("litho-opt", str(OPS_FILE), "-p", passes)
        assert marker in output
        assert "litho_tensor." not in output


def test_xdsl_opt_sees_litho_passes_and_dialect():
    output = run("xdsl-opt", str(OPS_FILE), "-p", "convert-litho-tensor-to-linalg")
    assert "linalg.generic" in output
    help_text = "".join(run("xdsl-opt", "--help").split())  # argparse wraps long lines
    for name in ("convert-litho-tensor-to-linalg", "litho-bufferize", "litho-memory-plan"):
        assert name in help_text
