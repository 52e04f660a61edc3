"""The runner of a target's stages from L1 to L3, and the report of one compilation.

Each target lists its stages (the CPU's: lowering/targets/cpu/stages.py), each a pass
pipeline spec. Capture and import come before (compiler/frontend/); the target's build
after (compiler/targets.py). The IR is verified after every pass; with `dump_ir` set,
it is written there after every pass too. The parameter store goes through the passes
with the module: a parameter pass takes it and returns it updated. After a pass that
marks what it refused to fuse (`litho.unfused`), the report lists those refusals.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from litho.compiler.errors import CompilationError
from litho.compiler.options import DebugOptions
from litho.compiler.universe import all_passes, litho_context
from litho.dialects.attributes import LOCATION_ATTRIBUTE, UNFUSED_ATTRIBUTE
from litho.lowering.common.parameters import ParameterStore, apply_pass
from litho.lowering.structured.litho_outline_kernels import kernel_name
from xdsl.dialects.builtin import ModuleOp, StringAttr
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Operation
from xdsl.passes import ModulePass, PassPipeline
from xdsl.utils.exceptions import DiagnosticException


@dataclass(frozen=True)
class FusionRefusal:
    """A producer that fusion left as a kernel of its own: its body's main ops, the source
    line it came from, and why."""

    ops: str
    location: str
    reason: str


def fusion_refusals(module: ModuleOp) -> Counter[FusionRefusal]:
    """The producers in `module` marked `litho.unfused`."""
    return Counter(
        FusionRefusal(kernel_name([op]), _text(op, LOCATION_ATTRIBUTE, "unknown line"),
                      _text(op, UNFUSED_ATTRIBUTE, ""))
        for op in module.walk()
        if isinstance(op, linalg.GenericOp) and UNFUSED_ATTRIBUTE in op.attributes)


def _text(op: Operation, attribute: str, default: str) -> str:
    value = op.attributes.get(attribute)
    return value.data if isinstance(value, StringAttr) else default


def refusal_table(refusals: Counter[FusionRefusal]) -> str:
    """The refused fusions as text, most frequent first."""
    rows = [f"  {count:>3} x {refusal.ops:<24} {refusal.location}: {refusal.reason}"
            for refusal, count in refusals.most_common()]
    heading = "litho left unfused (producers kept out of the generics that read them):"
    return "\n".join([heading, *(rows or ["  nothing"])])


@dataclass
class CompileReport:
    """What one compilation did: op counts per level, time per pass and stage, and the
    fusions refused (with how many producers each)."""

    op_counts: dict[str, int] = field(default_factory=dict)
    pass_times: dict[str, float] = field(default_factory=dict)
    stage_times: dict[str, float] = field(default_factory=dict)
    fusion_refusals: Counter[FusionRefusal] = field(default_factory=Counter)

    def refusal_table(self) -> str:
        return refusal_table(self.fusion_refusals)

    def timing_table(self) -> str:
        """Pass and stage times as the text `time_passes=True` prints."""
        rows = [f"  pass  {name:<34} {seconds * 1e3:9.2f} ms"
                for name, seconds in self.pass_times.items()]
        rows += [f"  stage {name:<34} {seconds * 1e3:9.2f} ms"
                 for name, seconds in self.stage_times.items()]
        return "litho compile times:\n" + "\n".join(rows)


def count_ops(module: ModuleOp) -> int:
    """Ops in `module`, not counting the module itself."""
    return sum(1 for _ in module.walk()) - 1


def op_histogram(module: ModuleOp) -> Counter[str]:
    return Counter(op.name for op in module.walk() if op is not module)


class StageRunner:
    """Runs the stage table over a module, verifying, timing and dumping as asked."""

    def __init__(self, options: DebugOptions, report: CompileReport, name: str = "forward"):
        self.options = options
        self.report = report
        self.context = litho_context()
        self.dump_index = 0
        self.dump_folder = Path(options.dump_ir) if options.dump_ir else None
        self.name = name

    def dump(self, label: str, ir: object, suffix: str = "mlir") -> None:
        """Write `ir` as text, when dumping (printing a large module takes a while)."""
        if self.dump_folder is None:
            return
        self.dump_folder.mkdir(parents=True, exist_ok=True)
        path = self.dump_folder / f"{self.name}.{self.dump_index:02d}.{label}.{suffix}"
        path.write_text(str(ir))
        self.dump_index += 1

    def run(
        self,
        module: ModuleOp,
        stages: Sequence[tuple[str, str]],
        store: ParameterStore | None = None,
        before_stage: Callable[[str, str, ModuleOp], None] | None = None,
    ) -> ParameterStore:
        """`module` through `stages`: (name, pass pipeline spec) pairs, in order.

        Parameter passes get `store` (the weights' values); the store after them is
        returned. `before_stage` (a target's tuner) sees each stage's name and spec and
        the module first; its time is the report's "tune" stage time."""
        store = store or ParameterStore()
        self.report.op_counts["L1 litho_tensor"] = count_ops(module)
        self.dump("import", module)
        for stage, spec in stages:
            if before_stage is not None:
                start = time.perf_counter()
                before_stage(stage, spec, module)
                self.report.stage_times["tune"] = self.report.stage_times.get(
                    "tune", 0.0) + time.perf_counter() - start
            start = time.perf_counter()
            for compiler_pass in PassPipeline.parse_spec(all_passes(), spec).passes:
                store = self.run_pass(stage, compiler_pass, module, store)
            self.report.stage_times[stage] = time.perf_counter() - start
            self.report.op_counts[_LEVEL_NAMES[stage]] = count_ops(module)
        return store

    def run_pass(
        self, stage: str, compiler_pass: ModulePass, module: ModuleOp, store: ParameterStore
    ) -> ParameterStore:
        start = time.perf_counter()
        try:
            store = apply_pass(compiler_pass, self.context, module, store)
            if self.options.verify:
                module.verify()
        except Exception as error:
            internal = "" if isinstance(error, DiagnosticException) else (
                f"{type(error).__name__} (a litho bug; please report it): "
            )
            raise CompilationError(
                f"stage {stage}, pass {compiler_pass.name} failed: {internal}{error}\n"
                f"Reproduce with: litho-opt <input.mlir> -p {compiler_pass.name} "
                "(set LITHO_DUMP_IR=DIR to get the input)"
            ) from error
        self.report.pass_times[compiler_pass.name] = (
            self.report.pass_times.get(compiler_pass.name, 0.0) + time.perf_counter() - start
        )
        if getattr(compiler_pass, "marks_refusals", False):
            self.report.fusion_refusals.update(fusion_refusals(module))
        self.dump(compiler_pass.name, module)
        return store


_LEVEL_NAMES = {
    "graph": "L1 litho_tensor",
    "fuse": "L2 linalg",
    "bufferize": "L3 buffers",
    "schedule": "L3 loops",
}
