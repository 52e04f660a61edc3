"""`jit` against torch eager on MLPs, and the errors a user can hit."""

import pytest
import torch
from litho.compiler import FallbackWarning, LithoError, explain, jit
from litho.compiler.errors import UnsupportedOpsError


class MLPLayerNorm(torch.nn.Module):
    """Linear -> GELU -> Linear -> LayerNorm, with a residual add."""

    def __init__(self, width):
        super().__init__()
        self.up = torch.nn.Linear(width, width)
        self.down = torch.nn.Linear(width, width)
        self.norm = torch.nn.LayerNorm(width)

    def forward(self, x):
        return self.norm(self.down(torch.nn.functional.gelu(self.up(x))) + x)


class MLPSoftmax(torch.nn.Module):
    """Linear -> ReLU -> Linear -> softmax."""

    def __init__(self, width):
        super().__init__()
        self.up = torch.nn.Linear(width, 2 * width)
        self.down = torch.nn.Linear(2 * width, width)

    def forward(self, x):
        return torch.softmax(self.down(torch.relu(self.up(x))), dim=-1)


def assert_matches_eager(model, *inputs):
    with torch.no_grad():
        expected = model(*inputs)
    actual = jit(model)(*inputs)
    torch.testing.assert_close(actual, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("width", [64, 256, 1024])
@pytest.mark.parametrize("batch", [1, 7, 64])
def test_mlp_with_layer_norm_matches_eager(batch, width):
    torch.manual_seed(batch + width)
    assert_matches_eager(MLPLayerNorm(width).eval(), torch.randn(batch, width))


@pytest.mark.parametrize("width", [64, 512])
@pytest.mark.parametrize("batch", [1, 7, 64])
def test_mlp_with_softmax_matches_eager(batch, width):
    torch.manual_seed(batch * width)
    assert_matches_eager(MLPSoftmax(width).eval(), torch.randn(batch, width))


def test_functions_with_several_outputs_and_broadcasting():
    def function(x, y):
        scaled = torch.sigmoid(x) * y.unsqueeze(0) - 2.5
        mask = scaled > 0
        return torch.where(mask, scaled, torch.tanh(x)), scaled.mean(dim=0), (x.t() @ x).sum()

    assert_matches_eager(function, torch.randn(5, 3), torch.randn(3))


def test_integer_outputs_are_exact():
    def function(x):
        return (x * 100).to(torch.int64), x.permute(1, 0).reshape(6, 2).amax(dim=1)

    x = torch.randn(3, 4)
    actual = jit(function)(x)
    expected = function(x)
    assert torch.equal(actual[0], expected[0])
    torch.testing.assert_close(actual[1], expected[1])


def test_a_new_shape_compiles_a_new_specialization():
    model = MLPSoftmax(16).eval()
    fast = jit(model)
    for batch in (2, 5, 2):
        x = torch.randn(batch, 16)
        torch.testing.assert_close(fast(x), model(x).detach(), rtol=1e-4, atol=1e-5)
    assert len(fast.specializations) == 2


def test_non_contiguous_input_gives_the_eager_result():
    model = MLPSoftmax(8).eval()
    x = torch.randn(8, 4).t()
    assert not x.is_contiguous()
    torch.testing.assert_close(jit(model)(x), model(x).detach(), rtol=1e-4, atol=1e-5)


def test_wrong_dtype_is_a_litho_error():
    fast = jit(MLPSoftmax(8).eval())
    fast(torch.randn(2, 8))
    with pytest.raises(LithoError, match="input 0: dtype torch.float16 is not supported"):
        fast(torch.randn(2, 8, dtype=torch.float16))
    strict = jit(MLPSoftmax(8).eval(), strict=True)
    with pytest.raises(LithoError, match="int64"):
        strict(torch.ones(2, 8, dtype=torch.int64))


def test_wrong_device_or_type_is_a_litho_error():
    fast = jit(MLPSoftmax(8).eval())
    with pytest.raises(LithoError, match="input 0: tensor is on meta"):
        fast(torch.empty(2, 8, device="meta"))
    with pytest.raises(LithoError, match="capture MLPSoftmax: .* must be Tensor, not list"):
        fast([1.0, 2.0])


def test_compiled_function_guards_its_signature():
    model = MLPSoftmax(8).eval()
    fast = jit(model)
    fast(torch.randn(2, 8))
    (compiled,) = fast.specializations.values()
    assert compiled.fits(model, [torch.randn(2, 8)])
    assert not compiled.fits(model, [torch.randn(3, 8)])
    expected = r"graph input 4 \(UserInput\(position=0\)\): expected .*float32 and shape \[2, 8\]"
    with pytest.raises(LithoError, match=expected):
        compiled(model, [torch.randn(3, 8)])


def test_unknown_option_is_a_litho_error():
    with pytest.raises(LithoError, match="unknown option"):
        jit(MLPSoftmax(8), fast_math=True)


class UsesUnsupportedOps(torch.nn.Module):
    def forward(self, x):
        y = torch.cumsum(x, dim=0) * 2
        return torch.cummax(y, dim=1).values + torch.flip(x, [0]), torch.remainder(y, 0.7)


def test_strict_names_every_missing_op_with_its_source_line():
    with pytest.raises(UnsupportedOpsError) as error:
        jit(UsesUnsupportedOps(), strict=True)(torch.randn(3, 4))
    message = str(error.value)
    assert "3 op(s)" in message
    for op_name in ("aten.cummax.default", "aten.flip.default", "aten.remainder.Scalar"):
        assert op_name in message
    assert f"{__file__}:" in message


def test_missing_ops_run_in_eager_with_one_warning():
    x = torch.randn(3, 4)
    fast = jit(UsesUnsupportedOps())
    with pytest.warns(FallbackWarning) as warned:
        first = fast(x)
        second = fast(x)
    fallback_warnings = [w for w in warned if issubclass(w.category, FallbackWarning)]
    assert len(fallback_warnings) == 1
    assert "aten.cummax.default" in str(fallback_warnings[0].message)
    expected = UsesUnsupportedOps()(x)
    for got in (first, second):
        torch.testing.assert_close(got, expected)


def test_explain_names_fallback_ops_counts_and_lines():
    report = explain(UsesUnsupportedOps(), torch.randn(3, 4))
    fallback = {op.op: op for op in report.fallback}
    assert set(fallback) == {"aten.cummax.default", "aten.flip.default", "aten.remainder.Scalar"}
    assert fallback["aten.cummax.default"].count == 1
    line = UsesUnsupportedOps.forward.__code__.co_firstlineno + 2
    assert fallback["aten.cummax.default"].locations == (f"{__file__}:{line}",)
    assert report.compiled["aten.cumsum.default"] == 1
    assert "aten.cummax.default  x1" in str(report)


class ScaledSoftmax(torch.nn.Module):
    def forward(self, x):
        return torch.softmax(x, -1) * 2


def test_explain_and_the_compile_report_name_refused_fusions_with_their_lines():
    x = torch.randn(4, 8)
    report = explain(ScaledSoftmax(), x)
    line = ScaledSoftmax.forward.__code__.co_firstlineno + 1
    reductions = [refusal for refusal in report.unfused if "reduction" in refusal.reason]
    assert reductions
    assert all(refusal.location.endswith(f"{__file__}:{line}") for refusal in reductions)
    assert "litho left unfused" in str(report)
    fast = jit(ScaledSoftmax())
    fast(x)
    assert fast.last_compile.fusion_refusals == report.unfused


def test_torch_compile_runs_missing_ops_in_eager():
    torch._dynamo.reset()
    x = torch.randn(3, 4)
    compiled = torch.compile(UsesUnsupportedOps(), backend="litho")
    with pytest.warns(FallbackWarning, match="aten.cummax.default"):
        got = compiled(x)
    torch.testing.assert_close(got, UsesUnsupportedOps()(x))


def test_new_shapes_past_the_limit_run_eager():
    model = MLPSoftmax(8).eval()
    fast = jit(model, max_specializations=2)
    with pytest.warns(FallbackWarning, match="max_specializations"):
        for batch in (1, 2, 3, 4):
            x = torch.randn(batch, 8)
            torch.testing.assert_close(fast(x), model(x))
    assert len(fast.specializations) == 2
    strict = jit(model, max_specializations=1, strict=True)
    strict(torch.randn(1, 8))
    with pytest.raises(LithoError, match="max_specializations"):
        strict(torch.randn(2, 8))


def test_dump_ir_writes_every_level(tmp_path):
    fast = jit(MLPSoftmax(8).eval(), dump_ir=str(tmp_path))
    fast(torch.randn(2, 8))
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names[0] == "MLPSoftmax.2x8xfloat32.00.import.mlir"
    assert any("convert-litho-tensor-to-linalg" in name for name in names)
    assert names[-1].endswith("codegen.ll")
    assert "litho_tensor.matmul" in (tmp_path / names[0]).read_text()
    assert fast.last_compile.pass_times["litho-bufferize"] > 0


def test_time_passes_prints_every_pass(capsys):
    jit(MLPSoftmax(8).eval(), time_passes=True)(torch.randn(2, 8))
    printed = capsys.readouterr().err
    for name in ("convert-litho-tensor-to-linalg", "litho-memory-plan", "codegen"):
        assert name in printed


def test_freeze_weights_transposes_linear_weights_once_and_follows_updates(tmp_path):
    torch.manual_seed(0)
    model = MLPSoftmax(8).eval()
    x = torch.randn(2, 8)
    fast = jit(model, freeze_weights=True, dump_ir=str(tmp_path))
    torch.testing.assert_close(fast(x), model(x), rtol=1e-4, atol=1e-5)
    (folded,) = tmp_path.glob("*litho-fold-parameters.mlir")
    assert "litho_tensor.permute" not in folded.read_text()
    assert 'litho.parameter = "permute(up.weight)"' in folded.read_text()
    with torch.no_grad():
        model.up.weight.mul_(-1)  # in place: the derived weight is made again
    torch.testing.assert_close(fast(x), model(x), rtol=1e-4, atol=1e-5)
    model.down.weight = torch.nn.Parameter(torch.randn(8, 16))  # replaced
    torch.testing.assert_close(fast(x), model(x), rtol=1e-4, atol=1e-5)
    assert len(fast.specializations) == 1


def test_linear_weights_are_packed_once_by_default_and_follow_updates(tmp_path):
    """The GEMM reads a Linear's transposed weight, made when the weight changes, not at
    every call; with pack_weights=False the transpose stays in the function."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.GELU()).eval()
    x = torch.randn(3, 8)
    fast = jit(model, dump_ir=str(tmp_path / "packed"))
    torch.testing.assert_close(fast(x), model(x), rtol=1e-4, atol=1e-5)
    (folded,) = (tmp_path / "packed").glob("*litho-fold-parameters*.mlir")
    assert "litho_tensor.permute" not in folded.read_text()
    assert 'litho.parameter = "permute(0.weight)"' in folded.read_text()
    with torch.no_grad():
        model[0].weight.mul_(-1)
    torch.testing.assert_close(fast(x), model(x), rtol=1e-4, atol=1e-5)
    unpacked = jit(model, pack_weights=False, dump_ir=str(tmp_path / "unpacked"))
    torch.testing.assert_close(unpacked(x), model(x), rtol=1e-4, atol=1e-5)
    assert not list((tmp_path / "unpacked").glob("*litho-fold-parameters*.mlir"))


class Attention(torch.nn.Module):
    """Scaled dot-product attention, by torch's function or written out by hand."""

    def __init__(self, form, mask=None):
        super().__init__()
        self.form, self.mask = form, mask

    def forward(self, q, k, v):
        if self.form == "causal":
            return torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        if self.form == "sdpa":
            return torch.nn.functional.scaled_dot_product_attention(q, k, v, self.mask)
        scores = q @ k.transpose(-2, -1) / q.size(-1) ** 0.5 + self.mask
        return torch.softmax(scores, -1) @ v


@pytest.mark.parametrize("form,mask_kind", [("sdpa", None), ("causal", None),
                                            ("sdpa", "bool"), ("hand", "float")])
@pytest.mark.parametrize("shape", [(1, 4, 128, 128, 64), (2, 3, 9, 21, 20), (1, 1, 1, 1, 8)])
def test_attention_runs_as_one_kernel_and_matches_eager(tmp_path, form, mask_kind, shape):
    """Every form of attention becomes one litho_tensor.attention (and one kernel of flash
    attention), with key counts past a block, odd head sizes, one token, and a row that
    the mask hides whole."""
    torch.manual_seed(0)
    batch, heads, queries, keys, width = shape
    if form == "causal" and queries != keys:
        pytest.skip("is_causal is for square scores here")
    mask = None
    if mask_kind == "bool":  # the last query's row masked whole: eager gives 0 there
        mask = torch.rand(batch, 1, queries, keys) > 0.3
        mask[..., 0] = True
        mask[..., -1, :] = False
    elif mask_kind == "float":
        mask = torch.randn(1, heads, 1, keys)
    q, k, v = (torch.randn(batch, heads, rows, width) for rows in (queries, keys, keys))
    model = Attention(form, mask)
    fast = jit(model, dump_ir=str(tmp_path))
    torch.testing.assert_close(fast(q, k, v), model(q, k, v), rtol=1e-4, atol=1e-5)
    (fused,) = tmp_path.glob("*litho-fuse-attention.mlir")
    assert fused.read_text().count("litho_tensor.attention") == 1
    (scheduled,) = tmp_path.glob("*litho-attention.mlir")
    assert "litho.attention =" not in scheduled.read_text()  # no generic of it is left
