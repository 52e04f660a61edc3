"""The command-line tools: `litho demo`, `litho-opt`, and litho inside plain `xdsl-opt`."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from litho.compiler import cli

SCRIPTS = Path(sys.executable).parent
OPS_FILE = Path(__file__).parent / "filecheck" / "dialects" / "litho_tensor_ops.mlir"


ADD = """\
func.func @add(%a: tensor<3x4xf32>, %b: tensor<4xf32>) -> tensor<3x4xf32> {
  %0 = litho_tensor.add %a, %b : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  func.return %0 : tensor<3x4xf32>
}
"""


def run(tool, *arguments):
    return subprocess.run(
        [str(SCRIPTS / tool), *arguments], capture_output=True, text=True, check=True
    ).stdout


def litho_opt_fails(*arguments):
    """litho-opt's stderr for `arguments`, checking that it failed with one message."""
    result = subprocess.run(
        [str(SCRIPTS / "litho-opt"), *map(str, arguments)], capture_output=True, text=True
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith("litho-opt: "), result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("litho-opt: ") == 1, result.stderr
    return result.stderr


def write(path, text):
    path.write_text(text)
    return path


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


def test_litho_opt_rejects_bytes_that_are_not_utf8(tmp_path):
    source = tmp_path / "latin1.mlir"
    source.write_bytes(b"func.func @f() {\n  func.return\n}\n// caf\xe9\n")
    error = litho_opt_fails(source)
    assert "latin1.mlir:4:" in error and "byte 0xe9 is not UTF-8" in error


def test_litho_opt_reports_nesting_too_deep_for_python(tmp_path):
    source = write(
        tmp_path / "deep.mlir", "builtin.module {\n" * 2000 + "}\n" * 2000
    )
    error = litho_opt_fails(source)
    assert "deep.mlir:" in error and "ops nest too deeply" in error


def test_litho_opt_rejects_a_zero_stride_in_the_verifier(tmp_path):
    source = write(tmp_path / "conv.mlir", """\
func.func @conv(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %c = litho_tensor.conv %x, %w {stride = array<i64: 0, 1>, dilation = array<i64: 1, 1>, \
groups = 1 : i64} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return %c : tensor<1x4x6x6xf32>
}
""")
    error = litho_opt_fails(source)
    assert "conv.mlir:2:3: litho_tensor.conv: stride must be at least 1" in error


def test_litho_opt_refuses_a_splat_too_large_to_hold(tmp_path):
    huge = "tensor<100000x100000x100000xf32>"
    source = write(tmp_path / "huge.mlir", f"""\
func.func @f() -> {huge} {{
  %c = litho_tensor.constant dense<1.0> : {huge}
  func.return %c : {huge}
}}
""")
    error = litho_opt_fails(source)
    assert "huge.mlir:2:" in error
    assert f"dense literal of {huge} has 1000000000000000 elements" in error


def test_litho_opt_names_a_missing_input_file(tmp_path):
    error = litho_opt_fails(tmp_path / "absent.mlir")
    assert "cannot read input file" in error and "absent.mlir: No such file" in error


def test_litho_opt_names_an_unknown_pass_and_the_nearest_one(tmp_path):
    source = write(tmp_path / "add.mlir", ADD)
    error = litho_opt_fails(source, "-p", "litho-bufferise")
    assert "unknown pass 'litho-bufferise' (did you mean 'litho-bufferize'?)" in error


def test_litho_llvm_target_names_the_op_and_the_passes_to_run_first(tmp_path):
    source = write(tmp_path / "add.mlir", ADD)
    error = litho_opt_fails(source, "-t", "litho-llvm")
    assert "add.mlir:2:3: -t litho-llvm does not translate litho_tensor.add" in error
    assert "-p litho-fuse-attention,litho-canonicalize," in error
    assert "litho-memory-plan -t litho-llvm" in error


def _inputs_missing(path):
    return path


def _inputs_not_npz(path):
    path.write_text("not an archive")
    return path


def _inputs_one_too_few(path):
    np.savez(path, arg0=np.ones((3, 4), np.float32))
    return path


def _inputs_wrong_shape(path):
    np.savez(path, arg0=np.ones((3, 4), np.float32), arg1=np.ones(5, np.float32))
    return path


def _inputs_wrong_dtype(path):
    np.savez(path, arg0=np.ones((3, 4), np.float64), arg1=np.ones(4, np.float32))
    return path


@pytest.mark.parametrize(
    ("make_inputs", "problem"),
    [
        (_inputs_missing, "cannot read inputs {path}: No such file or directory"),
        (_inputs_not_npz, "inputs {path} is not an .npz archive"),
        (_inputs_one_too_few, "inputs {path} holds 1 array(s) but @add takes 2 argument(s)"),
        (_inputs_wrong_shape, "arg1 of @add is tensor<4xf32>, which needs float32 of "
                              "shape (4,); got float32 of shape (5,)"),
        (_inputs_wrong_dtype, "arg0 of @add is tensor<3x4xf32>, which needs float32 of "
                              "shape (3, 4); got float64 of shape (3, 4)"),
    ],
)
def test_check_semantics_names_inputs_that_do_not_fit(tmp_path, make_inputs, problem):
    source = write(tmp_path / "add.mlir", ADD)
    inputs = make_inputs(tmp_path / "inputs.npz")
    error = litho_opt_fails(
        source, "-p", "convert-litho-tensor-to-linalg", "--check-semantics", inputs
    )
    assert problem.format(path=inputs) in error


def test_litho_opt_reports_an_unforeseen_failure_as_an_internal_error(monkeypatch, capsys):
    def crash(self):
        raise KeyError("no such value")

    monkeypatch.setattr(cli.LithoOptMain, "run", crash)
    monkeypatch.setattr(sys, "argv", ["litho-opt", str(OPS_FILE)])
    with pytest.raises(SystemExit) as exit_status:
        cli.litho_opt_main()
    assert exit_status.value.code == 1
    error = capsys.readouterr().err
    assert error.startswith("litho-opt: internal error: KeyError: 'no such value'")
    assert "please report it" in error


def test_check_semantics_needs_to_know_the_outputs_of_a_bufferized_function(tmp_path):
    source = write(tmp_path / "copy.mlir", """
func.func @copy(%x: memref<4xf32>, %out: memref<4xf32>) {
  "memref.copy"(%x, %out) : (memref<4xf32>, memref<4xf32>) -> ()
  func.return
}
""")
    inputs = tmp_path / "inputs.npz"
    np.savez(inputs, arg0=np.ones(4, np.float32))
    error = litho_opt_fails(source, "--check-semantics", inputs)
    assert "@copy returns nothing and has no litho.outputs attribute" in error


def test_check_semantics_computes_the_weights_a_parameter_pass_derives(tmp_path):
    """The pass replaces two weights by their sum; litho-opt's store computes it from the
    saved inputs, so the function after the pass runs on the right values."""
    source = write(tmp_path / "scale.mlir", """
func.func @scale(%a: tensor<4xf32> {litho.parameter = "a"}, %x: tensor<4xf32>,
                 %b: tensor<4xf32> {litho.parameter = "b"}) -> tensor<4xf32> {
  %s = litho_tensor.add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %y = litho_tensor.mul %x, %s : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}
""")
    inputs = tmp_path / "inputs.npz"
    values = [np.arange(4, dtype=np.float32) + offset for offset in (1, 2, 3)]
    np.savez(inputs, **{f"arg{index}": value for index, value in enumerate(values)})
    result = subprocess.run(
        [str(SCRIPTS / "litho-opt"), str(source), "-p", "litho-fold-parameters",
         "--check-semantics", str(inputs)],
        capture_output=True, text=True, check=True,
    )
    assert 'litho.parameter = "add(a, b)"' in result.stdout
    assert "semantics preserved" in result.stderr
