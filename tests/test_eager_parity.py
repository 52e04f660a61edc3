"""Eager parity: the answer eager gives, or a clear LithoError; never a silent difference.

Each test here failed on a form litho once got silently wrong or crashed on.
"""

import threading

import pytest
import torch
import transformers
from litho.compiler import FallbackWarning, jit
from litho.compiler.errors import IndexOutOfBoundsError, UnsupportedOpsError

BOOLS = (torch.tensor([True, False, True, False]), torch.tensor([False, True, True, False]))

BOOLEAN_FORMS = {
    "gt": lambda a, b: a > b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "ge": lambda a, b: a >= b,
    "maximum": torch.maximum,
    "minimum": torch.minimum,
    "amax": lambda a, b: torch.stack([a, b]).amax(0),
    "amax_all": lambda a, b: b.amax(),
    "amin": lambda a, b: torch.stack([a, b]).amin(0),
    "compare_with_scalar": lambda a, b: (a > False) & (b >= True),
}


@pytest.mark.parametrize("form", BOOLEAN_FORMS)
def test_ordered_comparisons_and_max_min_of_bools(form):
    function = BOOLEAN_FORMS[form]
    assert torch.equal(jit(function, strict=True)(*BOOLS), function(*BOOLS))


@pytest.mark.parametrize("form", ["gt", "maximum", "amax"])
def test_bool_forms_through_torch_compile(form):
    function = BOOLEAN_FORMS[form]
    torch._dynamo.reset()
    compiled = torch.compile(function, backend="litho", options={"strict": True})
    assert torch.equal(compiled(*BOOLS), function(*BOOLS))


class Linear(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(4, 3)
        self.register_buffer("offset", torch.zeros(3))

    def forward(self, x):
        return self.linear(x) + self.offset


def replace_weight(model):
    model.linear.weight = torch.nn.Parameter(torch.randn(3, 4))


def assign_data(model):
    model.linear.bias.data = torch.randn(3)


def reassign_buffer(model):
    model.offset = torch.randn(3)


def half_then_float(model):
    model.half().float()


def update_non_contiguous(model):
    model.linear.weight = torch.nn.Parameter(torch.randn(4, 3).t())
    with torch.no_grad():
        model.linear.weight.mul_(3)


def change_shape(model):
    model.linear = torch.nn.Linear(4, 5)
    model.offset = torch.zeros(5)


WEIGHT_UPDATES = [replace_weight, assign_data, reassign_buffer, half_then_float,
                  update_non_contiguous, change_shape]


@pytest.mark.parametrize("update", WEIGHT_UPDATES, ids=lambda update: update.__name__)
def test_parameters_and_buffers_are_read_at_every_call(update):
    model = Linear().eval()
    fast = jit(model)
    x = torch.randn(2, 4)
    fast(x)
    update(model)
    with torch.no_grad():
        torch.testing.assert_close(fast(x), model(x))


def test_same_shape_weights_are_rebound_without_a_recompile():
    model = Linear().eval()
    fast = jit(model)
    x = torch.randn(2, 4)
    fast(x)
    compiled = fast.last_compile
    replace_weight(model)
    fast(x)
    assert fast.last_compile is compiled and len(fast.specializations) == 1


class Dropout(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.dropout = torch.nn.Dropout(0.5)

    def forward(self, x):
        return self.dropout(x) * 2


def test_training_mode_is_part_of_the_signature():
    model = Dropout().eval()
    fast = jit(model)
    x = torch.ones(64, 64)
    torch.testing.assert_close(fast(x), x * 2)
    model.train()
    with pytest.warns(FallbackWarning):
        dropped = fast(x)
    assert (dropped == 0).any()


def test_a_submodule_replaced_after_jit_has_its_weights_read():
    model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU()).eval()
    fast = jit(model)
    x = torch.randn(4, 8)
    torch.testing.assert_close(fast(x), model(x))
    model[0] = torch.nn.Linear(8, 8).eval()  # the same signature: the code is reused
    torch.testing.assert_close(fast(x), model(x))


def test_a_submodule_set_after_jit_has_its_training_mode_in_the_signature():
    model = Dropout().eval()
    fast = jit(model)
    x = torch.ones(64, 64)
    torch.testing.assert_close(fast(x), x * 2)
    model.dropout = torch.nn.Dropout(0.5)  # a new module, in training mode
    with pytest.warns(FallbackWarning):
        dropped = fast(x)
    assert (dropped == 0).any()


class Counter(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("calls", torch.zeros((), dtype=torch.int64))
        self.register_buffer("average", torch.zeros(4))

    def forward(self, x):
        self.calls.add_(1)
        self.average.copy_(0.9 * self.average + 0.1 * x.mean(0))
        return x * 2


def test_in_place_updates_of_buffers_are_applied():
    model, reference = Counter(), Counter()
    fast = jit(model, strict=True)
    for _ in range(3):
        x = torch.randn(5, 4)
        torch.testing.assert_close(fast(x), reference(x))
    torch.testing.assert_close(model.calls, reference.calls)
    torch.testing.assert_close(model.average, reference.average)


def test_in_place_updates_of_inputs_are_applied():
    def update(x, y):
        x.add_(1)
        y[0].mul_(2)
        return x + y

    x, y = torch.randn(3), torch.randn(2, 3)
    expected_x, expected_y = x.clone(), y.clone()
    expected = update(expected_x, expected_y)
    torch.testing.assert_close(jit(update)(x, y), expected)
    torch.testing.assert_close((x, y), (expected_x, expected_y))


def test_train_mode_batch_norm_updates_running_statistics():
    model = torch.nn.BatchNorm1d(4).train()
    reference = torch.nn.BatchNorm1d(4).train()
    x = torch.randn(8, 4)
    with pytest.warns(FallbackWarning):
        result = jit(model)(x)
    torch.testing.assert_close(result, reference(x).detach())
    torch.testing.assert_close(model.running_mean, reference.running_mean)
    assert model.num_batches_tracked == 1


def test_non_tensor_outputs_pass_through():
    def function(x):
        return x + 1, None, 3, x.shape[0], {"double": x * 2, "nested": (x - 1, "name")}

    x = torch.randn(2, 3)
    result = jit(function, strict=True)(x)
    expected = function(x)
    assert result[1:4] == expected[1:4]
    assert result[4]["nested"][1] == "name"
    torch.testing.assert_close(result[0], expected[0])
    torch.testing.assert_close(result[4]["double"], expected[4]["double"])
    torch.testing.assert_close(result[4]["nested"][0], expected[4]["nested"][0])


def test_keyword_and_non_tensor_arguments():
    def function(x, mask=None, scale=1.0, shift=False):
        y = x * scale
        if mask is not None:
            y = y.masked_fill(mask, 0.0)
        return y + 1 if shift else y

    fast = jit(function, strict=True)
    x, mask = torch.randn(2, 3), torch.rand(2, 3) > 0.5
    for kwargs in ({"mask": mask}, {"shift": True, "mask": mask}, {"scale": 3.0}, {}):
        torch.testing.assert_close(fast(x, **kwargs), function(x, **kwargs))
    assert len(fast.specializations) == 4
    torch.testing.assert_close(fast(x, mask=mask), function(x, mask=mask))
    assert len(fast.specializations) == 4


def test_decoder_in_its_default_config_decodes_with_its_kv_cache():
    """`use_cache=True` (the default): the output holds a KV cache, fed back each step."""
    torch.manual_seed(0)
    config = transformers.LlamaConfig(
        num_hidden_layers=2, hidden_size=64, num_attention_heads=4, num_key_value_heads=2,
        intermediate_size=128, vocab_size=128,
    )
    model = transformers.LlamaForCausalLM(config).eval()
    fast = jit(model, strict=True)
    ids = torch.randint(0, 128, (2, 5))
    mask = torch.ones(2, 5, dtype=torch.int64)
    result = fast(input_ids=ids, attention_mask=mask)
    with torch.no_grad():
        expected = model(input_ids=ids, attention_mask=mask)
    for _ in range(2):
        torch.testing.assert_close(result.logits, expected.logits, rtol=1e-4, atol=1e-5)
        token = expected.logits[:, -1:].argmax(-1)
        mask = torch.cat([mask, torch.ones(2, 1, dtype=torch.int64)], dim=1)
        result = fast(token, past_key_values=result.past_key_values, attention_mask=mask)
        with torch.no_grad():
            expected = model(token, past_key_values=expected.past_key_values, attention_mask=mask)
    torch.testing.assert_close(result.logits, expected.logits, rtol=1e-4, atol=1e-5)
    layer = result.past_key_values.layers[1]
    torch.testing.assert_close(layer.keys, expected.past_key_values.layers[1].keys)


TABLE = torch.arange(40.0).reshape(10, 4)

INDEXING = {
    "embedding": lambda ids: torch.nn.functional.embedding(ids, TABLE),
    "gather": lambda ids: torch.gather(TABLE, 1, ids.view(1, -1).expand(10, -1)),
    "index_select": lambda ids: torch.index_select(TABLE, 0, ids),
    "index": lambda ids: TABLE[ids],
    "index_two_dims": lambda ids: TABLE[ids, ids.clamp(max=3)],
}


def eager_or_error(function, ids):
    try:
        return function(ids)
    except (IndexError, RuntimeError):
        return None


@pytest.mark.parametrize("form", INDEXING)
@pytest.mark.parametrize("index", [0, 3, 9, 10, -1, -4, -10, -11, 2**40, -(2**40)])
def test_out_of_range_indices_raise_where_eager_raises(form, index):
    """Eager wraps negative indices for x[idx] only; everything else out of range raises."""
    function = INDEXING[form]
    ids = torch.tensor([1, index, 2])
    expected = eager_or_error(function, ids)
    fast = jit(function, strict=True)
    if expected is not None:
        torch.testing.assert_close(fast(ids), expected)
        return
    with pytest.raises(IndexOutOfBoundsError, match=rf"index {index} is out of bounds") as error:
        fast(ids)
    assert "test_eager_parity.py" in str(error.value) and "aten." in str(error.value)


def test_an_out_of_range_id_leaves_the_callers_tensors_untouched():
    model = torch.nn.Embedding(10, 4)
    fast = jit(model, strict=True)
    weight = model.weight.detach().clone()
    ids = torch.tensor([[1, 10]])
    with pytest.raises(IndexOutOfBoundsError, match="aten.embedding.* index 10 .* size 10"):
        fast(ids)
    assert torch.equal(ids, torch.tensor([[1, 10]])) and torch.equal(model.weight, weight)
    torch.testing.assert_close(fast(torch.tensor([[1, 9]])), model(torch.tensor([[1, 9]])))


def test_the_first_bad_index_is_reported_as_eager_reports_it():
    function = INDEXING["index_two_dims"]
    with pytest.raises(IndexOutOfBoundsError, match="index -11 is out of bounds for dimension 0"):
        jit(function)(torch.tensor([-11]))


def test_torch_compile_in_grad_mode_at_a_second_batch_size():
    """The README's example: a second batch size under autograd, then backward."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(16, 16), torch.nn.GELU())
    torch._dynamo.reset()
    compiled = torch.compile(model, backend="litho")
    for batch in (8, 3, 5):
        x = torch.randn(batch, 16)
        result = compiled(x)
        torch.testing.assert_close(result, model(x))
    result.sum().backward()
    assert model[0].weight.grad is not None


def test_concurrent_first_calls_compile_once_and_leave_eager_alone():
    torch.manual_seed(0)
    model = MLP().eval()
    x = torch.randn(4, 16)
    with torch.no_grad():
        expected = model(x)
    fast = jit(model)
    results, errors = [], []

    def call_compiled():
        try:
            results.append(fast(x))
        except Exception as error:  # noqa: BLE001  (any failure is the finding)
            errors.append(error)

    def call_eager():
        for _ in range(20):
            with torch.no_grad():
                # other threads change the blocking of eager's GEMMs: close, not equal
                if not torch.allclose(model(x), expected, rtol=1e-5, atol=1e-6):
                    errors.append(AssertionError("eager changed while litho compiled"))

    threads = [threading.Thread(target=call_compiled) for _ in range(4)]
    threads += [threading.Thread(target=call_eager) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(results) == 4 and len(fast.specializations) == 1
    for result in results:
        torch.testing.assert_close(result, expected, rtol=1e-4, atol=1e-5)
    with torch.no_grad():
        assert torch.equal(model(x), expected)


class MLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.up = torch.nn.Linear(16, 32)
        self.down = torch.nn.Linear(32, 16)

    def forward(self, x):
        return self.down(torch.nn.functional.gelu(self.up(x)))


def test_messages_name_the_users_function_and_line():
    def uses_inverse(x):
        return torch.linalg.inv(x) + 1

    x = torch.randn(3, 3)
    with pytest.warns(FallbackWarning, match="of .*uses_inverse in torch eager") as record:
        jit(uses_inverse)(x)
    assert record[0].filename == __file__
    with pytest.raises(UnsupportedOpsError, match=r"aten.linalg_inv.* at .*_parity.py:\d+"):
        jit(uses_inverse, strict=True)(x)


def test_ir_dumps_of_each_model_and_signature_are_kept(tmp_path):
    for model in (MLP().eval(), torch.nn.Sequential(torch.nn.Linear(16, 16)).eval()):
        fast = jit(model, dump_ir=str(tmp_path))
        fast(torch.randn(2, 16))
        fast(torch.randn(3, 16))
    imports = sorted(path.name for path in tmp_path.glob("*.import.mlir"))
    assert imports == [
        "MLP.2x16xfloat32.00.import.mlir",
        "MLP.3x16xfloat32.00.import.mlir",
        "Sequential.2x16xfloat32.00.import.mlir",
        "Sequential.3x16xfloat32.00.import.mlir",
    ]
