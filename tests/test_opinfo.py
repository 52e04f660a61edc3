"""OpInfo conformance: every fp32 CPU sample of each ATen op litho claims, against eager.

For each op in the importer registry, the OpInfos of `op_db` that exercise it (same
name, `nn.functional.<name>`, or the entries of `EXTRA_OPINFOS`) run all their fp32 CPU
samples through `jit(..., strict=True)`: no fallback, so a sample passes only if litho
compiled it and matched eager (rtol 1e-4, atol 1e-5). `EXPECTED_FAILURES` lists the
samples that do not pass, each with why; a listed sample that passes fails the test too,
so the list stays exact. tests/conftest.py prints samples passed per op after the run.
"""

from __future__ import annotations

import operator
import re
from collections import defaultdict

import pytest
import torch
import torch.utils._pytree as pytree
from litho.compiler import LithoError, jit
from litho.compiler.errors import UnsupportedOpsError
from litho.compiler.frontend.importer import IMPORTERS
from opinfo_expected_failures import EXPECTED_FAILURES
from torch.testing._internal.common_methods_invocations import op_db

EXTRA_OPINFOS = {
    "_adaptive_avg_pool2d": ["nn.functional.adaptive_avg_pool2d"],
    "_adaptive_avg_pool3d": ["nn.functional.adaptive_avg_pool3d"],
    "_native_batch_norm_legit_no_training": ["nn.functional.batch_norm"],
    "_to_copy": ["to"],
    "convolution": ["nn.functional.conv1d", "nn.functional.conv2d"],
    "hardtanh": ["nn.functional.relu6", "nn.functional.hardtanh"],
    "index": ["__getitem__"],
    "max_pool2d_with_indices": ["nn.functional.max_pool2d"],
    "max_pool3d_with_indices": ["nn.functional.max_pool3d"],
    "split": ["chunk"],
    "view": ["flatten", "unflatten"],
}
NO_OPINFO = {
    "_assert_tensor_metadata": "inserted by torch.export, not a user op",
    "_unsafe_view": "only made by decompositions; covered through reshape and view",
    "alias": "only made by decompositions",
    "bitwise_and": "integer and bool only: no fp32 samples (the mask tests of the models use it)",
    "bitwise_not": "integer and bool only: no fp32 samples",
    "bitwise_or": "integer and bool only: no fp32 samples",
    "bitwise_xor": "integer and bool only: no fp32 samples",
    "detach": "only made by retracing in the torch.compile backend",
    "getitem": "Python's operator.getitem on op results",
    "_unsafe_index_put": "only made by decompositions; covered through index_put",
}
# Ops whose OpInfo samples cannot be compared with eager: their values are uninitialized.
UNCOMPARABLE = {
    "empty": "uninitialized values (litho's are zeros)",
    "empty_like": "uninitialized values (litho's are zeros)",
    "empty_permuted": "uninitialized values (litho's are zeros)",
}
CHUNK = 120
NODE_AND_LOCATION = r"\S+ \(node [^)]*\) at \S+: "
TOLERANCE = {"rtol": 1e-4, "atol": 1e-5, "equal_nan": True}


def _claimed_names() -> list[str]:
    return sorted(
        {
            "getitem" if target is operator.getitem else target._opname
            for target in IMPORTERS
        }
    )


def _opinfos_by_claimed_op() -> dict[str, list]:
    by_name = defaultdict(list)
    for opinfo in op_db:
        if torch.float32 in opinfo.supported_dtypes("cpu"):
            by_name[opinfo.name].append(opinfo)
    claimed = {}
    for name in _claimed_names():
        if name in UNCOMPARABLE:
            claimed[name] = []
            continue
        names = EXTRA_OPINFOS.get(name, [name, f"nn.functional.{name}"])
        claimed[name] = [opinfo for candidate in names for opinfo in by_name[candidate]]
    return claimed


OPINFOS = _opinfos_by_claimed_op()


def _label(opinfo) -> str:
    return opinfo.name + (f".{opinfo.variant_test_name}" if opinfo.variant_test_name else "")


CASE_OPINFOS = {
    (name, _label(opinfo)): opinfo for name, opinfos in OPINFOS.items() for opinfo in opinfos
}


def _op_and_reason(listed: str) -> str:
    """`- aten.x (node n) at file:line: why` as `aten.x: why` (no machine paths)."""
    return f"{listed.split()[1]}: {re.sub(NODE_AND_LOCATION, '', listed[4:])}"


def run_sample(opinfo, sample) -> str | None:
    """None if litho compiles the sample and matches eager, else why not."""
    leaves, tree = pytree.tree_flatten((sample.input, sample.args, sample.kwargs))
    positions = [i for i, leaf in enumerate(leaves) if isinstance(leaf, torch.Tensor)]

    def call(*tensors: torch.Tensor) -> object:
        filled = list(leaves)
        for position, tensor in zip(positions, tensors, strict=True):
            filled[position] = tensor
        first, args, kwargs = pytree.tree_unflatten(filled, tree)
        return opinfo.op(first, *args, **kwargs)

    tensors = [leaves[position].detach() for position in positions]
    expected = call(*tensors)
    try:
        got = jit(call, strict=True)(*tensors)
    except UnsupportedOpsError as error:
        listed = [line for line in str(error).splitlines() if line.startswith("  - ")]
        return "unsupported: " + "; ".join(_op_and_reason(line) for line in listed)
    except LithoError as error:
        return f"{type(error).__name__}: {str(error).splitlines()[0][:150]}"
    try:
        torch.testing.assert_close(got, expected, **TOLERANCE)
    except AssertionError as error:
        return f"mismatch: {str(error).splitlines()[0][:120]}"
    return None


def test_every_claimed_op_has_opinfo_samples_or_a_reason():
    without = {name for name, opinfos in OPINFOS.items() if not opinfos}
    assert without == set(NO_OPINFO) | set(UNCOMPARABLE), (
        "give these ops an OpInfo or a reason in NO_OPINFO"
    )


def _chunks() -> list[tuple[str, str, int]]:
    """(claimed op, OpInfo label, first sample) per test: large OpInfos are split so that
    pytest-xdist can spread their samples over workers."""
    chunks = []
    for (claimed, label), opinfo in sorted(CASE_OPINFOS.items()):
        count = len(list(opinfo.sample_inputs("cpu", torch.float32)))
        chunks += [(claimed, label, start) for start in range(0, max(count, 1), CHUNK)]
    return chunks


@pytest.mark.parametrize(("claimed", "label", "start"), _chunks())
def test_opinfo_samples(claimed, label, start, record_property):
    opinfo = CASE_OPINFOS[(claimed, label)]
    torch.manual_seed(0)
    samples = list(opinfo.sample_inputs("cpu", torch.float32))[start : start + CHUNK]
    failures = {}
    for index, sample in enumerate(samples, start):
        reason = run_sample(opinfo, sample)
        if reason is not None:
            failures[index] = reason
    record_property("opinfo", (claimed, label, len(samples) - len(failures), len(samples)))
    expected = {
        index
        for indices in EXPECTED_FAILURES.get(label, {}).values()
        for index in indices
        if start <= index < start + CHUNK
    }
    unexpected = {i: reason for i, reason in failures.items() if i not in expected}
    fixed = sorted(expected - set(failures))
    assert not unexpected, f"{label}: samples that now fail: {unexpected}"
    assert not fixed, f"{label}: samples listed as failing now pass, remove them: {fixed}"
