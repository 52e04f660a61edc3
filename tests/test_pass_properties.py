"""One property test per litho pass: generated programs keep their meaning through it.

Each test names its pass with `@checks_pass`; `test_every_pass_has_a_property_test`
fails if a pass registered in the universe (or defined in lowering/) has none. Every
pattern of a pattern pass must fire at least once over the generated programs.
"""

import importlib
import inspect
import pkgutil

import litho.lowering
import pytest
from hypothesis import strategies as st
from litho.compiler.testing import (
    attention_programs,
    check_pass,
    movement_programs,
    programs,
    with_weights,
)
from litho.compiler.universe import LITHO_PASSES
from litho.lowering.graph.convert_litho_tensor_to_linalg import ConvertLithoTensorToLinalgPass
from litho.lowering.graph.litho_canonicalize import LithoCanonicalizePass
from litho.lowering.graph.litho_fold_parameters import LithoFoldParametersPass
from litho.lowering.graph.litho_fuse_attention import LithoFuseAttentionPass
from litho.lowering.loops.litho_fuse_loops import LithoFuseLoopsPass
from litho.lowering.loops.litho_memory_plan import LithoMemoryPlanPass
from litho.lowering.loops.litho_parallel_loops import LithoParallelLoopsPass
from litho.lowering.structured.litho_bufferize import LithoBufferizePass
from litho.lowering.structured.litho_fuse_elementwise import LithoFuseElementwise
from litho.lowering.structured.litho_interchange import LithoInterchangePass
from litho.lowering.structured.litho_outline_kernels import LithoOutlineKernelsPass
from litho.lowering.targets.cpu.litho_attention import LithoAttentionPass
from litho.lowering.targets.cpu.litho_expand_math import LithoExpandMathPass
from litho.lowering.targets.cpu.litho_gemm import LithoGemmPass
from xdsl.passes import ModulePass

TO_LINALG = "convert-litho-tensor-to-linalg"
TO_LOOPS = f"{TO_LINALG},litho-bufferize,convert-linalg-to-loops,lower-affine"
# Transposes and broadcasts of fresh intermediates among elementwise ops: where a buffer
# written in place could alias one read through another indexing map.
LAYOUT_PROGRAMS = programs(
    ops=("permute", "broadcast", "reshape", "neg", "add", "max"), max_ops=4
)
BUFFERIZE_PROGRAMS = st.one_of(programs(), movement_programs(), LAYOUT_PROGRAMS)


def checks_pass(name: str):
    """Marks a test as the property test of the pass called `name`."""

    def mark(test):
        test.checked_pass = name
        return test

    return mark


@checks_pass("litho-canonicalize")
def test_canonicalize_preserves_semantics():
    chains = st.one_of(
        programs(ops=("permute",), max_ops=3), programs(ops=("reshape",), max_ops=3)
    )
    arithmetic = programs(ops=("add", "mul"), max_ops=3, dtypes=("f32", "i64"))
    mixed = programs(
        ops=("add", "mul", "neg", "permute", "reshape", "broadcast"), dtypes=("f32", "i64")
    )
    strategy = st.one_of(chains, arithmetic, mixed)
    report = check_pass(LithoCanonicalizePass(), program_strategy=strategy, max_examples=300)
    print(report.summary())


@checks_pass("litho-fold-parameters")
def test_fold_parameters_preserves_semantics():
    """Weights and the values derived from them go through the parameter store: the
    rewritten function runs on derived values the store computes with the interpreter."""
    strategy = with_weights(st.one_of(programs(), movement_programs(), LAYOUT_PROGRAMS))
    report = check_pass(LithoFoldParametersPass(), program_strategy=strategy, max_examples=300)
    assert report.cases >= 250


@checks_pass("convert-litho-tensor-to-linalg")
def test_convert_to_linalg_preserves_semantics():
    # ops that have a pattern of their own, beside the full mix (which draws each rarely)
    lone_ops = programs(ops=("where", "matmul", "cmp", "int_div", "cast", "attention"), max_ops=4)
    strategy = st.one_of(programs(), movement_programs(), lone_ops)
    report = check_pass(
        ConvertLithoTensorToLinalgPass(), program_strategy=strategy, max_examples=400
    )
    print(report.summary())


@checks_pass("litho-fuse-elementwise")
def test_fuse_elementwise_preserves_semantics():
    """Chains, transposes and broadcasts of intermediates, matmuls and reductions reading
    them: fused generics against the unfused ones, in the interpreter."""
    strategy = st.one_of(programs(), movement_programs(), LAYOUT_PROGRAMS)
    report = check_pass(LithoFuseElementwise(), prepare=TO_LINALG, program_strategy=strategy,
                        max_examples=300)
    assert report.cases >= 250


@checks_pass("litho-outline-kernels")
def test_outline_kernels_preserves_semantics():
    """Kernel functions, shared where identical, called from the entry: also bufferized
    and planned, so a kernel writing its caller's buffers would show."""
    strategy = st.one_of(programs(), movement_programs(), LAYOUT_PROGRAMS)
    fused = f"{TO_LINALG},litho-fuse-elementwise"
    report = check_pass(LithoOutlineKernelsPass(), prepare=fused, program_strategy=strategy,
                        max_examples=200)
    assert report.cases >= 150
    buffers = check_pass("litho-bufferize,convert-linalg-to-loops,lower-affine,"
                         "litho-memory-plan", prepare=f"{fused},litho-outline-kernels",
                         program_strategy=strategy, max_examples=200)
    assert buffers.cases >= 150


@checks_pass("litho-bufferize")
def test_bufferize_preserves_semantics():
    report = check_pass(
        LithoBufferizePass(), prepare=TO_LINALG, program_strategy=BUFFERIZE_PROGRAMS,
        max_examples=400,
    )
    assert report.cases >= 400


@checks_pass("litho-memory-plan")
def test_memory_plan_preserves_semantics():
    """The interpreter places planned buffers in one arena, so overlaps would show."""
    strategy = st.one_of(programs(), movement_programs())
    report = check_pass(LithoMemoryPlanPass(), prepare=TO_LOOPS, program_strategy=strategy)
    assert report.cases >= 100


@checks_pass("litho-fuse-loops")
def test_fuse_loops_preserves_semantics():
    """The loops of outlined kernels (row kernels: reductions with what reads and feeds
    them) and of whole programs, fused where independent; a wrong fusion would read a
    row's total before the row is summed."""
    rows = programs(ops=("reduce_max", "reduce_sum", "reduce_mean", "sub", "exp", "div",
                         "mul", "broadcast"), max_ops=5)
    strategy = st.one_of(rows, programs(), movement_programs(), LAYOUT_PROGRAMS)
    outlined = (f"{TO_LINALG},litho-fuse-elementwise,litho-outline-kernels,litho-bufferize,"
                "convert-linalg-to-loops,lower-affine")
    report = check_pass(LithoFuseLoopsPass(), prepare=outlined, program_strategy=strategy,
                        max_examples=300)
    assert report.cases >= 250
    whole = check_pass(LithoFuseLoopsPass(), prepare=TO_LOOPS, program_strategy=strategy,
                       max_examples=100)
    assert whole.cases >= 80


@checks_pass("litho-parallel-loops")
def test_parallel_loops_preserves_semantics():
    """Every independent loop nest made parallel (no work threshold); the interpreter runs
    parallel iterations last to first, so a loop wrongly made parallel shows."""
    strategy = st.one_of(programs(), movement_programs(), LAYOUT_PROGRAMS)
    report = check_pass(LithoParallelLoopsPass(min_work=0), prepare=TO_LOOPS,
                        program_strategy=strategy, max_examples=300)
    assert report.cases >= 250


@checks_pass("litho-expand-math")
def test_expand_math_preserves_semantics():
    """fp32 exp, erf and tanh (also inside gelu and sigmoid) as arithmetic, within the
    reassociation tolerance of numpy's functions; tests/test_expand_math.py measures ulps."""
    math_ops = programs(ops=("exp", "erf", "tanh", "gelu", "sigmoid", "add", "mul", "neg"),
                        max_ops=4)
    strategy = st.one_of(math_ops, programs())
    report = check_pass(LithoExpandMathPass(), prepare=TO_LINALG, program_strategy=strategy,
                        max_examples=300)
    assert report.cases >= 250


@checks_pass("litho-gemm")
def test_gemm_preserves_semantics():
    """Matmuls (batched, of transposed and broadcast operands, convolutions) as the blocked
    microkernel,
    with tiles small enough that the generated shapes have edges in every dimension: rows
    and lanes past the matrix, several blocks of k accumulated into C."""
    strategy = st.one_of(
        programs(ops=("matmul",), dtypes=("f32",), max_ops=2, max_dim=11),
        programs(ops=("matmul", "permute", "broadcast", "add"), dtypes=("f32",), max_ops=3,
                 max_dim=11))
    small = LithoGemmPass(vector_width=4, rows=3, columns=8, depth=3, row_block=6,
                          column_block=16, min_parallel_work=0, threads=3)
    report = check_pass(small, prepare=f"{TO_LINALG},litho-bufferize",
                        program_strategy=strategy, max_examples=200)
    assert report.cases >= 150
    # elementwise producers fused into the matmul (a norm's scaling): computed into the
    # packed operand first
    prologues = programs(ops=("matmul", "mul", "neg", "add", "broadcast", "permute"),
                         dtypes=("f32",), max_ops=4, max_dim=9)
    fused = check_pass(small, prepare=f"{TO_LINALG},litho-fuse-elementwise,litho-bufferize",
                       program_strategy=prologues, max_examples=150)
    assert fused.cases >= 100
    # convolutions (1-d and 2-d, strided, dilated, padded, grouped): j and k of several
    # dimensions, the input's windows copied into the packed B
    convolutions = movement_programs(ops=("conv", "pad"), dtypes=("f32",), max_ops=2)
    windows = check_pass(small, prepare=f"{TO_LINALG},litho-fuse-elementwise,litho-bufferize",
                         program_strategy=convolutions, max_examples=100)
    assert windows.cases >= 80
    # epilogues (the elementwise generic after a matmul, in its kernel): applied to C's
    # tiles in vector form, reading other inputs along C's rows or one element per row
    # (56 of 86 matmuls over these cases took one in a coverage probe)
    epilogues = programs(ops=("add", "sub", "mul", "max", "relu", "tanh", "gelu", "reshape"),
                         dtypes=("f32",), max_ops=4, max_dim=9, first="matmul", chain=True)
    applied = check_pass(small, prepare=f"{TO_LINALG},litho-fuse-elementwise,"
                         "litho-outline-kernels,litho-bufferize",
                         program_strategy=epilogues, max_examples=100)
    assert applied.cases >= 80


@checks_pass("litho-interchange")
def test_interchange_preserves_semantics():
    """Poolings, convolutions (strided, dilated, padded, grouped) and reductions over a
    middle dimension, their output's last dimension moved innermost where the pass may,
    on tensors and on buffers."""
    strategy = st.one_of(
        movement_programs(ops=("pool", "conv", "pad"), dtypes=("f32",), max_ops=2),
        programs(ops=("reduce_sum", "reduce_max", "reduce_mean", "permute", "add"),
                 max_ops=3))
    report = check_pass(LithoInterchangePass(), prepare=f"{TO_LINALG},litho-bufferize",
                        program_strategy=strategy, max_examples=200)
    assert report.cases >= 150
    on_tensors = check_pass(LithoInterchangePass(), prepare=TO_LINALG,
                            program_strategy=strategy, max_examples=50)
    assert on_tensors.cases >= 30


@checks_pass("litho-fuse-attention")
def test_fuse_attention_preserves_semantics():
    """Attention as capture gives it (batch reshapes, keys permuted, scaled, masked by
    where or add, or not) becomes one op; where the scores or probabilities are also
    returned, it is left alone."""
    report = check_pass(LithoFuseAttentionPass(), program_strategy=attention_programs(),
                        max_examples=80)
    assert report.cases >= 50 and report.pattern_fires["AttentionPattern"] >= 40


@checks_pass("litho-attention")
def test_attention_preserves_semantics():
    """Flash attention against the six generics, with 4 lanes, so that blocks of keys,
    values' columns and tiles of rows have edges; in parallel; attentions made by
    litho-fuse-attention and drawn as ops (masks broadcast along the batch)."""
    small = LithoAttentionPass(vector_width=4, min_parallel_work=0, threads=3)
    to_buffers = "convert-litho-tensor-to-linalg,litho-outline-kernels,litho-bufferize"
    fused = check_pass(small, prepare=f"litho-fuse-attention,{to_buffers}",
                       program_strategy=attention_programs(), max_examples=60)
    drawn = check_pass(small, prepare=to_buffers, max_examples=40,
                       program_strategy=programs(ops=("attention",), max_ops=1))
    assert fused.cases >= 40 and drawn.cases >= 30


@checks_pass("litho-apply-patterns")
def test_apply_patterns_preserves_semantics():
    names = "litho.lowering.graph.litho_canonicalize:MulByOnePattern"
    report = check_pass(
        f"litho-apply-patterns{{names=\"{names}\"}}", program_strategy=programs(ops=("mul",))
    )
    assert report.cases >= 100


@checks_pass("graph+fuse+bufferize+schedule")
def test_whole_pipeline_preserves_semantics():
    from litho.lowering.targets.cpu.stages import cpu_stages

    pipeline = ",".join(spec for _, spec in cpu_stages(freeze_weights=True))
    strategy = with_weights(st.one_of(programs(), LAYOUT_PROGRAMS))
    report = check_pass(pipeline, program_strategy=strategy, max_examples=200)
    assert report.cases >= 200


def _property_tests() -> dict[str, str]:
    tests = inspect.getmembers(inspect.getmodule(_property_tests), inspect.isfunction)
    return {test.checked_pass: name for name, test in tests if hasattr(test, "checked_pass")}


def _passes_defined_in_lowering() -> set[str]:
    names = set()
    for module_info in pkgutil.iter_modules(litho.lowering.__path__):
        module = importlib.import_module(f"litho.lowering.{module_info.name}")
        for _, value in inspect.getmembers(module, inspect.isclass):
            defined_here = value.__module__ == module.__name__
            if defined_here and issubclass(value, ModulePass) and hasattr(value, "name"):
                names.add(value.name)
    return names


def test_every_pass_has_a_property_test():
    tested = set(_property_tests())
    registered = set(LITHO_PASSES) | _passes_defined_in_lowering()
    missing = sorted(registered - tested)
    assert not missing, f"passes without a property test in {__name__}: {missing}"
    assert "litho-canonicalize" in registered and len(registered) >= 5


@pytest.mark.parametrize("name", ["litho-bufferize", "convert-litho-tensor-to-linalg"])
def test_meta_test_sees_property_tests(name):
    assert name in _property_tests()
