"""Integer and bool forms of ops: each compiles and equals eager (exactly; a float result of
a math function, such as exp of ints, within fp32's tolerances), or runs in torch
eager with a FallbackWarning (under strict=True: an UnsupportedOpsError naming the op,
its operands' dtypes and its line). Never a CompilationError a pass later.

The importer asks every op it emits whether it verifies and whether
`convert-litho-tensor-to-linalg` lowers its form (`unsupported_form`), so a form litho
has no code for is refused before the pipeline runs.
"""

import warnings
from pathlib import Path

import pytest
import torch
from litho.compiler import FallbackWarning, jit
from litho.compiler.errors import UnsupportedOpsError

INT64 = torch.tensor([[1, -2, 7], [3, 4, -9], [0, 5, -1]])
INT32 = torch.tensor([[5, -6, 2], [7, 8, -3], [-4, 0, 1]], dtype=torch.int32)
POSITIVE = torch.tensor([[3, 5, 2], [7, 9, 1], [4, 6, 8]])
SMALLEST_INT32 = torch.tensor([-(2**31), -1, 0, 2**31 - 1], dtype=torch.int32)
FLOAT = torch.tensor([[0.5, -1.5, 4.0], [2.0, 3.0, -0.25], [8.0, -7.0, 1.0]])
# every pair of truth values, in both orders
BOOL_A = torch.tensor([[True, True, False], [False, True, False], [True, False, True]])
BOOL_B = torch.tensor([[True, False, True], [False, True, True], [False, False, True]])

COMPILED_FORMS = {
    "neg_int64": (lambda x: -x, (INT64,)),
    "neg_smallest_int32": (torch.neg, (SMALLEST_INT32,)),
    "relu_int64": (torch.relu, (INT64,)),
    "relu_int32": (torch.relu, (INT32,)),
    "abs_smallest_int32": (torch.abs, (SMALLEST_INT32,)),
    "bool_add": (lambda a, b: a + b, (BOOL_A, BOOL_B)),
    "bool_mul": (lambda a, b: a * b, (BOOL_A, BOOL_B)),
    "bool_add_alpha_true": (lambda a, b: torch.add(a, b, alpha=True), (BOOL_A, BOOL_B)),
    "bool_plus_false": (lambda a: a + False, (BOOL_A,)),
    "bool_times_true": (lambda a: a * True, (BOOL_A,)),
    "bool_plus_int_scalar": (lambda a: a + 1, (BOOL_A,)),
    "bool_times_int": (lambda a, x: a * x, (BOOL_A, INT64)),
    "sum_of_bool_times_int": (lambda a, x: (a * x).sum(), (BOOL_A, INT64)),
    "sum_of_bools": (lambda a: a.sum(), (BOOL_A,)),
    "sum_of_bools_by_dim": (lambda a: a.sum(0), (BOOL_A,)),
    "sum_of_bools_as_bool": (lambda a: a.sum(dtype=torch.bool), (BOOL_A,)),
    "sum_of_int32": (lambda x: x.sum(1), (INT32,)),
    "add_int32_int64": (torch.add, (INT32, INT64)),
    "sub_int64_int32": (lambda a, b: a - b, (INT64, INT32)),
    "add_int32_float": (torch.add, (INT32, FLOAT)),
    "maximum_int32_float": (torch.maximum, (INT32, FLOAT)),
    "maximum_int32_int64": (torch.maximum, (INT32, INT64)),
    "minimum_bools": (torch.minimum, (BOOL_A, BOOL_B)),
    "where_int32_float": (torch.where, (BOOL_A, INT32, FLOAT)),
    "where_int32_int64": (torch.where, (BOOL_A, INT32, INT64)),
    "where_bool_scalar": (lambda c, a: torch.where(c, a, True), (BOOL_A, BOOL_B)),
    "true_division_of_ints": (lambda a, b: a / b, (INT64, POSITIVE)),
    "exp_of_ints": (torch.exp, (INT64,)),
    "sigmoid_of_int32": (torch.sigmoid, (INT32,)),
    "sigmoid_of_bools": (torch.sigmoid, (BOOL_A,)),
    "clamp_int": (lambda x: x.clamp(-1, 2), (INT64,)),
    "clamp_int_with_float_bound": (lambda x: x.clamp(min=0.5), (INT64,)),
    "amax_bools": (lambda a: a.amax(0), (BOOL_A,)),
    "cumsum_bools": (lambda a: a.cumsum(1), (BOOL_A,)),
    "bitwise_not_int": (lambda x: ~x, (INT64,)),
    "cat_int32_int64": (lambda a, b: torch.cat([a, b]), (INT32, INT64)),
    "float_matmul_of_bools": (lambda a, b: a.float() @ b.float(), (BOOL_A, BOOL_B)),
    "add_nan": (lambda x: x + float("nan"), (FLOAT,)),
}

# form: (function, inputs, the ATen op and dtype the strict message names)
FALLBACK_FORMS = {
    # litho_tensor.matmul takes float tensors only (the lowering has an integer body)
    "mm_int64": (lambda a, b: a @ b, (INT64, POSITIVE), "aten.mm.default", "int64, int64"),
    "mm_int32": (lambda a, b: torch.mm(a, b), (INT32, INT32), "aten.mm.default", "int32, int32"),
    "bmm_int64": (
        lambda a, b: torch.bmm(a[None], b[None]),
        (INT64, POSITIVE),
        "aten.bmm.default",
        "int64, int64",
    ),
    "addmm_int64": (
        lambda c, a, b: torch.addmm(c, a, b),
        (INT64, INT64, POSITIVE),
        "aten.addmm.default",
        "int64, int64, int64",
    ),
    "pow_of_int_tensors": (lambda a, b: a**b, (INT64, POSITIVE), "aten.pow", "int64, int64"),
    "pow_of_ints_by_scalar": (lambda a: a**3, (INT64,), "aten.pow", "integer"),
}


def assert_equal_to_eager(got: torch.Tensor, expected: torch.Tensor) -> None:
    assert got.dtype == expected.dtype
    if got.is_floating_point():  # exp and sigmoid are polynomials of a few ulps in litho
        torch.testing.assert_close(got, expected, equal_nan=True)
    else:
        assert torch.equal(got, expected)


@pytest.mark.parametrize("form", COMPILED_FORMS)
def test_form_compiles_and_equals_eager(form):
    function, inputs = COMPILED_FORMS[form]
    with warnings.catch_warnings():
        warnings.simplefilter("error", FallbackWarning)
        got = jit(function, strict=True)(*inputs)
    assert_equal_to_eager(got, function(*inputs))


@pytest.mark.parametrize("form", FALLBACK_FORMS)
def test_form_runs_in_eager_and_equals_eager(form):
    function, inputs, _, _ = FALLBACK_FORMS[form]
    with pytest.warns(FallbackWarning):
        got = jit(function)(*inputs)
    assert_equal_to_eager(got, function(*inputs))


@pytest.mark.parametrize("form", FALLBACK_FORMS)
def test_strict_names_the_op_its_dtypes_and_its_line(form):
    function, inputs, op, dtypes = FALLBACK_FORMS[form]
    with pytest.raises(UnsupportedOpsError) as error:
        jit(function, strict=True)(*inputs)
    message = str(error.value)
    assert op in message and dtypes in message
    assert f"{Path(__file__).name}:" in message
