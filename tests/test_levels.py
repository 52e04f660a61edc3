"""Every lowering pass, checked in the interpreter against the level above it."""

import pathlib

import numpy as np
import pytest
import torch
from litho.compiler.entry import entry_function
from litho.compiler.frontend.capture import import_model
from litho.compiler.interpreter import run_function
from litho.compiler.options import DebugOptions
from litho.compiler.pipeline import CompileReport, StageRunner
from litho.compiler.universe import all_passes, litho_context
from litho.lowering.common.parameters import apply_pass, split_arguments
from litho.lowering.targets.cpu.stages import CPU_STAGES
from xdsl.parser import Parser
from xdsl.passes import PassPipeline

ALL_OPS_PROGRAM = """
func.func @all_ops(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>, %r: tensor<3x1xf32>)
    -> (tensor<6x2xf32>, tensor<2x3x5xf32>, tensor<3xi64>) {
  %e = litho_tensor.broadcast %r : tensor<3x1xf32> -> tensor<2x3x4xf32>
  %s = litho_tensor.sub %a, %e : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %p = litho_tensor.permute %s {dims = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %f = litho_tensor.reshape %p : tensor<4x2x3xf32> -> tensor<6x4xf32>
  %g = litho_tensor.gelu %f {approximate = "tanh"} : tensor<6x4xf32>
  %ge = litho_tensor.gelu %g : tensor<6x4xf32>
  %sg = litho_tensor.sigmoid %ge : tensor<6x4xf32>
  %t = litho_tensor.tanh %sg : tensor<6x4xf32>
  %x = litho_tensor.exp %t : tensor<6x4xf32>
  %l = litho_tensor.log %x : tensor<6x4xf32>
  %q = litho_tensor.sqrt %x : tensor<6x4xf32>
  %rq = litho_tensor.rsqrt %q : tensor<6x4xf32>
  %n = litho_tensor.neg %rq : tensor<6x4xf32>
  %ab = litho_tensor.abs %n : tensor<6x4xf32>
  %rc = litho_tensor.reciprocal %ab : tensor<6x4xf32>
  %nr = litho_tensor.neg %rc : tensor<6x4xf32>
  %rl = litho_tensor.relu %nr : tensor<6x4xf32>
  %er = litho_tensor.erf %l : tensor<6x4xf32>
  %mx = litho_tensor.max %rl, %er : (tensor<6x4xf32>, tensor<6x4xf32>) -> tensor<6x4xf32>
  %mn = litho_tensor.min %mx, %l : (tensor<6x4xf32>, tensor<6x4xf32>) -> tensor<6x4xf32>
  %two = litho_tensor.constant dense<2.0> : tensor<f32>
  %d = litho_tensor.div %mn, %two : (tensor<6x4xf32>, tensor<f32>) -> tensor<6x4xf32>
  %c = litho_tensor.cmp "gt", %d, %l : (tensor<6x4xf32>, tensor<6x4xf32>) -> tensor<6x4xi1>
  %w = litho_tensor.where %c, %d, %two : (tensor<6x4xi1>, tensor<6x4xf32>, tensor<f32>) -> tensor<6x4xf32>
  %m = litho_tensor.reduce_mean %w {dims = array<i64: 1>} : tensor<6x4xf32> -> tensor<6xf32>
  %mk0 = litho_tensor.reduce_max %w {dims = array<i64: 1>, keepdim} : tensor<6x4xf32> -> tensor<6x1xf32>
  %mi = litho_tensor.reduce_min %w {dims = array<i64: 1>, keepdim} : tensor<6x4xf32> -> tensor<6x1xf32>
  %mk = litho_tensor.sub %mk0, %mi : (tensor<6x1xf32>, tensor<6x1xf32>) -> tensor<6x1xf32>
  %sm = litho_tensor.reshape %m : tensor<6xf32> -> tensor<6x1xf32>
  %cat = litho_tensor.add %sm, %mk : (tensor<6x1xf32>, tensor<6x1xf32>) -> tensor<6x1xf32>
  %out0 = litho_tensor.mul %cat, %w : (tensor<6x1xf32>, tensor<6x4xf32>) -> tensor<6x4xf32>
  %o0 = litho_tensor.reduce_sum %out0 {dims = array<i64: 1>} : tensor<6x4xf32> -> tensor<6xf32>
  %o1 = litho_tensor.reshape %o0 : tensor<6xf32> -> tensor<6x1xf32>
  %o2 = litho_tensor.broadcast %o1 : tensor<6x1xf32> -> tensor<6x2xf32>
  %mm = litho_tensor.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  %rs = litho_tensor.reduce_sum %r {dims = array<i64: 1>} : tensor<3x1xf32> -> tensor<3xf32>
  %ten = litho_tensor.constant dense<10.0> : tensor<f32>
  %sc = litho_tensor.mul %rs, %ten : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  %ic = litho_tensor.cast %sc : tensor<3xf32> -> tensor<3xi64>
  %three = litho_tensor.constant dense<-3> : tensor<i64>
  %iq = litho_tensor.int_div %ic, %three {rounding = "floor"} : (tensor<3xi64>, tensor<i64>) -> tensor<3xi64>
  %it = litho_tensor.int_div %ic, %three {rounding = "trunc"} : (tensor<3xi64>, tensor<i64>) -> tensor<3xi64>
  %id = litho_tensor.sub %iq, %it : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %i = litho_tensor.abs %id : tensor<3xi64>
  func.return %o2, %mm, %i : tensor<6x2xf32>, tensor<2x3x5xf32>, tensor<3xi64>
}
"""

MOVEMENT_OPS_PROGRAM = (
    pathlib.Path(__file__).parent / "filecheck" / "dialects" / "litho_tensor_movement.mlir"
).read_text()


def random_inputs(module, seed=0):
    function = next(iter(module.ops))
    generator = np.random.default_rng(seed)
    return [
        generator.standard_normal(tuple(arg.type.get_shape())).astype(np.float32)
        for arg in function.body.block.args
    ]


def assert_results_close(actual, expected):
    assert len(actual) == len(expected)
    for got, want in zip(actual, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def pass_names():
    return [name for _, spec in CPU_STAGES for name in spec.split(",")]


def lower_one_pass_at_a_time(module, inputs):
    """Run every pass of the stage table, checking the interpreter after each (weights
    that parameter passes derive are computed by the store)."""
    expected = run_function(module, inputs)
    store, activations = split_arguments(entry_function(module), inputs)
    context = litho_context()
    checked = []
    for name in pass_names():
        (compiler_pass,) = PassPipeline.parse_spec(all_passes(), name).passes
        store = apply_pass(compiler_pass, context, module, store)
        module.verify()
        assert_results_close(run_function(module, activations, store), expected)
        checked.append(name)
    return checked


def test_every_pass_preserves_the_all_ops_program():
    module = Parser(litho_context(), ALL_OPS_PROGRAM).parse_module()
    inputs = random_inputs(module)
    checked = lower_one_pass_at_a_time(module, inputs)
    assert "litho-bufferize" in checked and "litho-memory-plan" in checked


@pytest.mark.parametrize("function", ["indexing", "windows", "sorting", "scattering"])
def test_every_pass_preserves_the_movement_ops(function):
    """Gathers, slices, concat, cumsum, pad, conv and pooling (the round-trip file's
    functions), each alone in a module, against the level above after every pass."""
    module = Parser(litho_context(), MOVEMENT_OPS_PROGRAM).parse_module()
    for op in list(module.ops):
        if op.sym_name.data != function:
            op.detach()
    lower_one_pass_at_a_time(module, random_inputs(module))


@pytest.mark.parametrize("seed", [0, 1])
def test_every_pass_preserves_an_imported_mlp(seed):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(
        torch.nn.Linear(8, 16), torch.nn.GELU(), torch.nn.Linear(16, 8), torch.nn.LayerNorm(8)
    ).eval()
    x = torch.randn(3, 8)
    module, arguments = import_model(model, [x])
    inputs = [argument.detach().numpy() for argument in arguments]
    (l1_result,) = run_function(module, inputs)
    np.testing.assert_allclose(l1_result, model(x).detach().numpy(), rtol=1e-4, atol=1e-5)
    lower_one_pass_at_a_time(module, inputs)


def test_stage_runner_reports_op_counts_for_every_level():
    module = Parser(litho_context(), ALL_OPS_PROGRAM).parse_module()
    report = CompileReport()
    StageRunner(DebugOptions(dump_ir=None), report).run(module, CPU_STAGES)
    assert list(report.op_counts) == ["L1 litho_tensor", "L2 linalg", "L3 buffers", "L3 loops"]
    assert all(count > 0 for count in report.op_counts.values())
