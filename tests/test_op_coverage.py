"""The op meta-test: every `litho_tensor` op is whole, or a stated reason says what it lacks.

Whole means: a generator draws it (compiler/testing: `programs()` or `movement_programs()`),
the interpreter runs it (dialects/tensor/interpreter.py), the conversion to linalg lowers it
to what the interpreter computed, and an ATen importer emits it (compiler/frontend/aten/).
Each check runs one small generated program per generator op name, so a new op that misses
a table fails here with its name and the table it is missing from.
"""

import functools
import random

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, find, settings
from litho.compiler.errors import LithoError
from litho.compiler.frontend.capture import import_model
from litho.compiler.interpreter import run_function
from litho.compiler.testing import ALL_OPS, MOVEMENT_OPS, inputs_for, movement_programs, programs
from litho.compiler.testing.compare import all_finite, mismatch
from litho.dialects.tensor import LITHO_TENSOR
from litho.lowering.graph.convert_litho_tensor_to_linalg import ConvertLithoTensorToLinalgPass

GENERATOR_OPS = (*ALL_OPS, *MOVEMENT_OPS, "attention")
OPS = {op_type.name: op_type for op_type in LITHO_TENSOR.operations}

# Ops no ATen importer emits, and why.
NOT_IMPORTED = {
    "litho_tensor.gelu": "capture decomposes GELU into erf or tanh arithmetic "
    "(compiler/frontend/decompositions.py); the op is for hand-written and generated IR",
    "litho_tensor.attention": "capture decomposes attention into matmuls and a softmax; "
    "litho-fuse-attention makes the op of them (lowering/graph/litho_fuse_attention.py)",
}
# Torch forms that import as an op, for ops whose generated torch form does not reach
# its importer: the generator's scatter loops over its index values (for its exact write
# order), and its pooling is a sum of strided slices.
TORCH_FORMS = {
    "litho_tensor.pool": (
        lambda x: torch.nn.functional.max_pool2d(x, 2), (torch.randn(1, 2, 4, 4),)
    ),
    "litho_tensor.scatter": (
        lambda x, i, v: x.index_put((i,), v, accumulate=True),
        (torch.zeros(5, 3), torch.tensor([0, 2, 2]), torch.ones(3, 3)),
    ),
}
# Generator ops that are the identity when their result keeps their operand's shape (the
# importer drops them): their sample must change the shape.
RESHAPING_OPS = ("broadcast", "reshape", "pad", "pool", "slice")

_FIND = settings(database=None, max_examples=500, suppress_health_check=list(HealthCheck))


@functools.cache
def sample(generator_op: str):
    """A small program with `generator_op` in it, and inputs for it (fixed seed)."""
    strategy = (
        movement_programs(ops=(generator_op,), max_ops=1)
        if generator_op in MOVEMENT_OPS
        else programs(ops=(generator_op,), max_ops=1)
    )
    program = find(strategy, functools.partial(_shows, generator_op), settings=_FIND,
                   random=random.Random(0))
    inputs = find(inputs_for(program), lambda values: True, settings=_FIND,
                  random=random.Random(0))
    return program, inputs


def _shows(generator_op: str, program) -> bool:
    """Whether `program` has a `generator_op` node that is not the identity."""
    return any(
        node.op == generator_op
        and (generator_op not in RESHAPING_OPS
             or node.result.shape != program.spec_of(node.operands[0]).shape)
        for node in program.nodes
    )


def _op_names(module) -> set[str]:
    return {op.name for op in module.walk() if op.name in OPS}


def test_every_op_has_a_generator_entry():
    drawn = set().union(*(_op_names(sample(name)[0].to_module()) for name in GENERATOR_OPS))
    missing = sorted(set(OPS) - drawn)
    assert not missing, (
        f"no generator draws {missing}: give each an entry in compiler/testing/program.py "
        "(its IR and torch forms) and in strategies.py or movement.py (how it is drawn)"
    )


@pytest.mark.parametrize("generator_op", GENERATOR_OPS)
def test_every_generated_op_runs_in_the_interpreter_and_lowers_to_the_same_result(generator_op):
    program, inputs = sample(generator_op)
    module = program.to_module()
    expected = run_function(module, inputs)  # an op without an implementation raises
    ConvertLithoTensorToLinalgPass().apply_counting(module)
    module.verify()
    left = sorted(_op_names(module))
    assert not left, f"convert-litho-tensor-to-linalg leaves {left} (from '{generator_op}')"
    if all_finite(expected):
        tolerance = ConvertLithoTensorToLinalgPass.tolerance
        problem = mismatch(expected, run_function(module, inputs), tolerance)
        assert problem is None, f"'{generator_op}' lowered to linalg: {problem}"


def test_every_op_has_an_importer():
    imported: set[str] = set()
    uncaptured = []
    for name in GENERATOR_OPS:
        program, inputs = sample(name)
        tensors = [torch.from_numpy(np.array(value)) for value in inputs]
        try:
            module, _ = import_model(program.to_torch(), tensors)
        except LithoError:  # the torch form of some movement ops loops over data
            uncaptured.append(name)
            continue
        imported |= _op_names(module)
    for function, example in TORCH_FORMS.values():
        imported |= _op_names(import_model(_Function(function), example)[0])
    missing = sorted(set(OPS) - imported - set(NOT_IMPORTED))
    assert not missing, (
        f"no ATen importer emits {missing} from the generators' torch programs "
        f"(those of {uncaptured} do not capture): add one (compiler/frontend/aten/) or "
        "say why not in NOT_IMPORTED"
    )


class _Function(torch.nn.Module):
    def __init__(self, function):
        super().__init__()
        self.function = function

    def forward(self, *inputs):
        return self.function(*inputs)
