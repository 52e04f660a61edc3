"""Checking that a pass, a pipeline or a rewrite pattern preserves semantics.

For each generated program (and generated inputs) the check runs the reference interpreter
on the IR before the rewrite, applies the rewrite, verifies the IR, runs the interpreter
again, and compares under the rewrite's tolerance. Cases whose reference result is not
finite are discarded. A failure is shrunk by hypothesis, written as a `.mlir` file with
an `.npz` of its inputs, and reported with the `litho-opt` command that reproduces it.

A miscompile raises `SemanticsCheckFailure`; a pattern that no generated case made fire
raises `PatternNeverFired`. Both are `CheckFailure`s, and neither is the other, so
catching a miscompile does not hide a test that tested nothing.

```python
report = check_pass(LithoBufferizePass(), prepare="convert-litho-tensor-to-linalg")
print(report.summary())     # cases checked and how often each pattern fired
```
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, Phase, given, reject, seed, settings
from hypothesis import strategies as st
from litho.compiler.entry import entry_function
from litho.compiler.interpreter import run_function
from litho.compiler.testing.compare import (
    all_finite,
    check_inputs_fit,
    load_inputs,
    mismatch,
    save_inputs,
)
from litho.compiler.testing.given_patterns import GivenPatternsPass, unloadable_reason
from litho.compiler.testing.inputs import inputs_for
from litho.compiler.testing.program import Program
from litho.compiler.testing.reduce import reduce_program
from litho.compiler.testing.strategies import programs
from litho.compiler.universe import all_passes, litho_context
from litho.lowering.common.litho_apply_patterns import pattern_path
from litho.lowering.common.parameters import (
    ParameterStore,
    apply_pass,
    split_arguments,
)
from litho.lowering.common.pattern_pass import PatternPass
from litho.lowering.common.tolerance import EXACT, REASSOCIATE, Tolerance, loosest
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.parser import Parser
from xdsl.passes import ModulePass, PassPipeline
from xdsl.pattern_rewriter import RewritePattern

DEFAULT_EXAMPLES = 100
REPRO_DIR_VARIABLE = "LITHO_REPRO_DIR"


# a rewrite applied to a module, with the weights' store: pattern fire counts, the store after
Applied = tuple[Counter[str], ParameterStore]
ApplyRewrite = Callable[[ModuleOp, ParameterStore], Applied]


class CheckFailure(AssertionError):
    """A property check of a pass, a pipeline or patterns failed."""


class SemanticsCheckFailure(CheckFailure):
    """A rewrite changed what a program computes, or broke it; the message has the repro."""

    def __init__(self, message: str, repro: Path | None = None):
        super().__init__(message)
        self.repro = repro


class PatternNeverFired(CheckFailure):
    """A pattern of the rewrite fired in none of the generated cases, so its check tested
    nothing: `report` says how often each pattern fired."""

    def __init__(self, message: str, report: CheckReport):
        super().__init__(message)
        self.report = report


@dataclass
class CheckReport:
    """What a check ran: cases compared, cases discarded, and pattern fire counts."""

    name: str
    cases: int = 0
    discarded: int = 0
    pattern_fires: Counter[str] = field(default_factory=Counter)
    pattern_names: tuple[str, ...] = ()

    def never_fired(self) -> list[str]:
        return [name for name in self.pattern_names if not self.pattern_fires[name]]

    def summary(self) -> str:
        lines = [f"{self.name}: {self.cases} cases checked, {self.discarded} discarded"]
        lines += [f"  {name:<32} fired {self.pattern_fires[name]:5d} times"
                  for name in self.pattern_names]
        return "\n".join(lines)


@dataclass(frozen=True)
class Rewrite:
    """Something to check: how to apply it, its tolerance, and its litho-opt spelling
    (`unloadable` says why litho-opt cannot run it, when it cannot)."""

    name: str
    pipeline: str
    tolerance: Tolerance
    apply: ApplyRewrite
    pattern_names: tuple[str, ...] = ()
    unloadable: str = ""

    def reproduction(self, ir_path: Path, inputs_path: Path) -> str:
        """The command, or the Python, that reruns a repro."""
        if not self.unloadable:
            return (f"Reproduce: litho-opt {ir_path} -p '{self.pipeline}' "
                    f"--check-semantics {inputs_path}")
        patterns = ", ".join(f"{name}(...)" for name in self.pattern_names)
        return (
            f"Reproduce: litho-opt cannot load the patterns ({self.unloadable}); where "
            "they are defined, run\n"
            "    from litho.compiler.testing import reproduce_patterns\n"
            f"    reproduce_patterns([{patterns}], '{ir_path}', '{inputs_path}', "
            f"tolerance={_spelling(self.tolerance)})  # the patterns as given to check_patterns"
        )

    @staticmethod
    def of_pass(compiler_pass: ModulePass) -> Rewrite:
        def apply(module: ModuleOp, store: ParameterStore) -> Applied:
            if isinstance(compiler_pass, PatternPass):
                return compiler_pass.apply_counting(module), store
            return Counter(), apply_pass(compiler_pass, litho_context(), module, store)

        names = ()
        if isinstance(compiler_pass, PatternPass):
            names = tuple(type(pattern).__name__ for pattern in compiler_pass.patterns())
        return Rewrite(
            compiler_pass.name,
            str(compiler_pass.spec()),
            getattr(compiler_pass, "tolerance", EXACT),
            apply,
            names,
        )

    @staticmethod
    def of_pipeline(spec: str) -> Rewrite:
        passes = PassPipeline.parse_spec(all_passes(), spec).passes
        tolerance = loosest([getattr(item, "tolerance", EXACT) for item in passes])

        def apply(module: ModuleOp, store: ParameterStore) -> Applied:
            for item in passes:
                store = apply_pass(item, litho_context(), module, store)
            return Counter(), store

        return Rewrite(spec.replace(",", "+"), spec, tolerance, apply)

    @staticmethod
    def of_patterns(patterns: Sequence[RewritePattern], tolerance: Tolerance) -> Rewrite:
        """The pattern instances as given, applied greedily; the litho-opt spelling names
        their classes, which works only if litho-opt can rebuild them (`unloadable`)."""
        given = GivenPatternsPass(tuple(patterns), tolerance)

        def apply(module: ModuleOp, store: ParameterStore) -> Applied:
            return given.apply_counting(module), store

        names = ",".join(pattern_path(pattern) for pattern in patterns)
        reasons = [reason for reason in map(unloadable_reason, patterns) if reason]
        pattern_names = tuple(type(pattern).__name__ for pattern in patterns)
        return Rewrite(
            "+".join(pattern_names),
            f'litho-apply-patterns{{names="{names}"}}',
            tolerance,
            apply,
            pattern_names,
            "; ".join(reasons),
        )


def _spelling(tolerance: Tolerance) -> str:
    """How Python code names `tolerance`."""
    names = {EXACT: "EXACT", REASSOCIATE: "REASSOCIATE"}
    if tolerance in names:
        return names[tolerance]
    if tolerance.kind == "quantizing":
        return f"quantizing({tolerance.min_sqnr_db})"
    return repr(tolerance)


@dataclass
class _CaseFailure(Exception):
    """One failing case: what went wrong, the program and inputs, and the IR checked."""

    problem: str
    program: Program
    inputs: list[np.ndarray]
    module_text: str = ""
    op_count: int = 0


def check_pass(
    compiler_pass: ModulePass | str,
    *,
    prepare: str = "",
    program_strategy: st.SearchStrategy[Program] | None = None,
    max_examples: int = DEFAULT_EXAMPLES,
    every_pattern_fires: bool = True,
    random_seed: int | None = 0,
) -> CheckReport:
    """Check that a pass (or a pipeline spec such as "cse,dce") preserves semantics.

    Generated programs are at L1; `prepare` is a pipeline spec that first takes them to
    the level the pass expects. The tolerance is the one the pass declares. With
    `every_pattern_fires`, a pattern of the pass that no case made fire is a failure.
    `random_seed=None` draws new cases on every run; an integer gives the same cases.
    """
    if isinstance(compiler_pass, str):
        rewrite = Rewrite.of_pipeline(compiler_pass)
    else:
        rewrite = Rewrite.of_pass(compiler_pass)
    return check_rewrite(rewrite, prepare, program_strategy, max_examples,
                         every_pattern_fires, random_seed)


def check_patterns(
    patterns: Sequence[RewritePattern],
    *,
    tolerance: Tolerance = EXACT,
    prepare: str = "",
    program_strategy: st.SearchStrategy[Program] | None = None,
    max_examples: int = DEFAULT_EXAMPLES,
    every_pattern_fires: bool = True,
    random_seed: int | None = 0,
) -> CheckReport:
    """Check rewrite patterns applied greedily on their own, under `tolerance`.

    The instances given are the ones applied (a pattern may be defined in the test, or
    take constructor arguments). Raises SemanticsCheckFailure if they change a program's
    meaning, PatternNeverFired if one of them never fired (with `every_pattern_fires`).
    """
    rewrite = Rewrite.of_patterns(patterns, tolerance)
    return check_rewrite(rewrite, prepare, program_strategy, max_examples,
                         every_pattern_fires, random_seed)


def check_rewrite(
    rewrite: Rewrite,
    prepare: str,
    program_strategy: st.SearchStrategy[Program] | None,
    max_examples: int,
    every_pattern_fires: bool,
    random_seed: int | None,
) -> CheckReport:
    """Run the property for `rewrite`; raise SemanticsCheckFailure with a repro if it fails,
    PatternNeverFired if one of its patterns never fired (with `every_pattern_fires`)."""
    report = CheckReport(rewrite.name, pattern_names=rewrite.pattern_names)
    preparation = Rewrite.of_pipeline(prepare) if prepare else None
    if program_strategy is None:
        program_strategy = programs()

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        derandomize=False,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=(HealthCheck.too_slow, HealthCheck.filter_too_much),
        report_multiple_bugs=False,
        print_blob=False,
    )
    @given(program_strategy, st.data())
    def property_holds(program: Program, data: st.DataObject) -> None:
        inputs = data.draw(inputs_for(program), label="inputs")
        fires = run_case(rewrite, preparation, program, inputs)
        if fires is None:
            report.discarded += 1
            reject()
        report.cases += 1
        report.pattern_fires.update(fires)

    if random_seed is not None:
        property_holds = seed(random_seed)(property_holds)
    try:
        property_holds()
    except _CaseFailure as failure:
        raise failure_with_repro(rewrite, reduce_failure(rewrite, preparation, failure)) from None
    never_fired = report.never_fired()
    if every_pattern_fires and never_fired:
        raise PatternNeverFired(
            f"{rewrite.name}: pattern(s) {', '.join(never_fired)} never fired in "
            f"{report.cases} generated cases; generate programs they match "
            f"(program_strategy=programs(ops=...))\n{report.summary()}",
            report,
        )
    return report


def run_case(
    rewrite: Rewrite,
    preparation: Rewrite | None,
    program: Program,
    inputs: list[np.ndarray],
) -> Counter[str] | None:
    """Check one case; None if its reference result is not finite (the case is discarded).

    Raises _CaseFailure if the rewrite raises, leaves IR that does not verify, or changes
    the results beyond its tolerance. The program's weights (marked arguments) go into
    a parameter store; a rewrite that derives new ones is run on their derived values.
    """
    module = program.to_module()
    store, activations = split_arguments(entry_function(module), inputs)
    if preparation:
        _, store = preparation.apply(module, store)
    text = str(module)
    expected = run_function(module, inputs)
    if not all_finite(expected):
        return None
    op_count = len(entry_function(module).body.block.ops) - 1
    try:
        fires, store = rewrite.apply(module, store)
        module.verify()
        actual = run_function(module, activations, store)
        problem = mismatch(expected, actual, rewrite.tolerance)
    except Exception as error:  # any exception is a finding, reported with its repro
        problem = f"{type(error).__name__}: {error}"
    if problem:
        raise _CaseFailure(problem, program, inputs, text, op_count)
    return fires


def reduce_failure(
    rewrite: Rewrite, preparation: Rewrite | None, failure: _CaseFailure
) -> _CaseFailure:
    """The failure of the smallest program `reduce_program` finds from `failure`'s."""
    last = failure

    def still_fails(program: Program, inputs: list[np.ndarray]) -> bool:
        nonlocal last
        try:
            run_case(rewrite, preparation, program, inputs)
        except _CaseFailure as smaller:
            last = smaller
            return True
        return False

    program, inputs = reduce_program(failure.program, failure.inputs, still_fails)
    if still_fails(program, inputs):
        return last
    return failure


def repro_folder() -> Path:
    """Where repros are written: $LITHO_REPRO_DIR, or litho-repros/ in the working folder."""
    return Path(os.environ.get(REPRO_DIR_VARIABLE, "litho-repros"))


def failure_with_repro(rewrite: Rewrite, failure: _CaseFailure) -> SemanticsCheckFailure:
    """Write the shrunk case to the repro folder; the error says how to rerun it."""
    folder = repro_folder()
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(failure.module_text.encode()).hexdigest()[:8]
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in rewrite.name)[:60]
    ir_path = folder / f"{stem}-{digest}.mlir"
    inputs_path = folder / f"{stem}-{digest}.npz"
    ir_path.write_text(failure.module_text + "\n")
    save_inputs(inputs_path, failure.inputs)
    message = (
        f"{rewrite.name} does not preserve semantics: {failure.problem}\n"
        f"Shrunk repro ({failure.op_count} op(s)): {ir_path} with inputs {inputs_path}\n"
        f"{rewrite.reproduction(ir_path, inputs_path)}\n\n{failure.module_text}"
    )
    return SemanticsCheckFailure(message, ir_path)


def check_pipeline_semantics(
    module: ModuleOp, pipeline: PassPipeline, context: Context, inputs_path: str
) -> str | None:
    """Apply `pipeline` to `module`, interpreting it before and after on the saved inputs.

    Returns None if the results agree within the passes' loosest tolerance, else what
    differs. This is `litho-opt --check-semantics`.
    """
    inputs = load_inputs(inputs_path)
    check_inputs_fit(module, inputs, inputs_path)
    expected = run_function(module, inputs)
    store, activations = split_arguments(entry_function(module), inputs)
    for compiler_pass in pipeline.passes:
        store = apply_pass(compiler_pass, context, module, store)
    actual = run_function(module, activations, store)
    tolerance = loosest([getattr(item, "tolerance", EXACT) for item in pipeline.passes])
    return mismatch(expected, actual, tolerance)


def reproduce_patterns(
    patterns: Sequence[RewritePattern],
    ir_path: str | Path,
    inputs_path: str | Path,
    tolerance: Tolerance = EXACT,
) -> str | None:
    """Rerun a `check_patterns` repro with the pattern instances themselves: interpret the
    IR at `ir_path` on the inputs at `inputs_path`, apply the patterns, verify, interpret
    again and compare under `tolerance` (litho-opt's `--check-semantics`, for patterns
    litho-opt cannot load).

    Returns None, printing "semantics preserved", or what went wrong, printed too.
    """
    module = Parser(litho_context(), Path(ir_path).read_text(), str(ir_path)).parse_module()
    inputs = load_inputs(inputs_path)
    check_inputs_fit(module, inputs, str(inputs_path))
    expected = run_function(module, inputs)
    try:
        GivenPatternsPass(tuple(patterns), tolerance).apply_counting(module)
        module.verify()
        problem = mismatch(expected, run_function(module, inputs), tolerance)
    except Exception as error:  # any exception is the finding being reproduced
        problem = f"{type(error).__name__}: {error}"
    print(f"semantics changed: {problem}" if problem else "semantics preserved")
    return problem
