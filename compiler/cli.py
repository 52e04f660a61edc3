"""Command-line entry points: `litho` (`demo`, `fuzz`, `bench`) and `litho-opt`.

`litho-opt` is xDSL's `xdsl-opt` driver; litho's dialects, passes and the `litho-llvm`
target reach it (and plain `xdsl-opt`) through the `xdsl.universe` entry point. It adds
`--check-semantics INPUTS.npz`, which runs the interpreter on the input and output IR and
fails if the passes changed the results beyond their declared tolerance.

`litho-opt` never prints a traceback: every failure is one message on stderr, starting
`litho-opt: ` and naming the file and, where there is one, the line, op, pass or input
array; it exits with status 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import math
import sys
from collections.abc import Sequence
from typing import IO, Any, NoReturn

from litho.compiler.errors import LithoError
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, RankedStructure
from xdsl.ir import Operation
from xdsl.parser import Parser
from xdsl.utils.arg_spec import parse_pipeline, parse_spec
from xdsl.utils.exceptions import ArgSpecParseError, DiagnosticException, ParseError
from xdsl.utils.lexer import Input, Span
from xdsl.xdsl_opt_main import xDSLOptMain


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="litho", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help="compile a built-in GPT-style model and compare with eager"
    )
    demo.add_argument("--batch", type=int, default=4)
    demo.add_argument("--length", type=int, default=64, help="tokens per sequence")
    demo.add_argument("--width", type=int, default=64)
    fuzz = commands.add_parser(
        "fuzz", help="differential fuzzing: generated programs, jit against torch eager"
    )
    fuzz.add_argument("--cases", type=int, default=2000, help="cases to compare")
    fuzz.add_argument("--seed", type=int, default=None, help="fixed seed (default: random)")
    fuzz.add_argument("--max-ops", type=int, default=8)
    bench = commands.add_parser(
        "bench", help="time litho against eager, torch.compile and others, side by side"
    )
    bench.add_argument("workloads", nargs="*", help="workload names or kinds (default: all)")
    bench.add_argument("--quick", action="store_true", help="the quick subset only")
    bench.add_argument("--contenders", default="eager,inductor,litho,numpy,onnxruntime",
                       help="comma-separated (default: these; onnxruntime where installed; "
                            "also litho-tuned, litho with autotune=True)")
    bench.add_argument("--rounds", type=int, default=15, help="interleaved timing rounds")
    bench.add_argument("--sample-seconds", type=float, default=0.02,
                       help="time per contender per round")
    bench.add_argument("--out", default="litho-bench", help="folder for bench.json, .png")
    arguments = parser.parse_args(argv)
    if arguments.command == "bench":
        return _bench(arguments, parser)
    if arguments.command == "demo":
        from litho.compiler.demo import run_demo

        run_demo(arguments.batch, arguments.length, arguments.width)
        return 0
    from litho.compiler.testing.fuzz import run_campaign

    return run_campaign(arguments.cases, arguments.seed, arguments.max_ops)


def _bench(arguments: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from pathlib import Path

    try:
        from litho.benchmarks.bench import run_bench
        from litho.benchmarks.contenders import CONTENDERS
    except ImportError as missing:
        parser.error(f"litho bench needs the bench extra ({missing.name} is missing): "
                     "pip install torch==2.13.0 -e '.[bench]'")

    contenders = arguments.contenders.split(",")
    unknown = sorted(set(contenders) - set(CONTENDERS))
    if unknown or "eager" not in contenders:
        parser.error(f"--contenders takes eager and any of {', '.join(CONTENDERS)}; "
                     f"got {arguments.contenders!r}")
    try:
        return run_bench(arguments.workloads, arguments.quick, contenders, arguments.rounds,
                         arguments.sample_seconds, Path(arguments.out))
    except ValueError as error:
        parser.error(str(error))


MAX_DENSE_ELEMENTS = 1 << 27
"""The most elements a dense literal may have in litho-opt's input.

xDSL's parser expands a splat such as `dense<1.0>` into one Python value per element, so
a shape this large exhausts memory (or overflows) before any verifier sees the op. Model
weights are function arguments, not literals, so litho's own IR stays far below it.
"""

L3_DIALECTS = ("builtin", "func", "scf", "arith", "math", "memref")
"""The dialects that `-t litho-llvm` translates (lowering/targets/cpu/translate_to_llvm.py)."""


class OptParser(Parser):
    """xDSL's parser with a size limit on dense literals, recording where each op starts.

    `op_spans` lets a later failure, such as the LLVM target's, name the op's line.
    """

    def __init__(
        self,
        context: Context,
        text: str,
        name: str,
        op_spans: dict[Operation, Span[str]],
        line_offset: int,
    ):
        super().__init__(context, text, name)
        self.op_spans = op_spans
        self.line_offset = line_offset

    def parse_operation(self) -> Operation:
        start = self._current_token.span
        op = super().parse_operation()
        self.op_spans[op] = dataclasses.replace(start, line_offset=self.line_offset)
        return op

    def _parse_dense_literal_type(self) -> RankedStructure[Any]:
        start = self._current_token.span.start
        dense_type = super()._parse_dense_literal_type()
        elements = math.prod(dense_type.get_shape())
        if elements > MAX_DENSE_ELEMENTS:
            self.raise_error(
                f"dense literal of {dense_type} has {elements} elements; litho-opt reads "
                f"at most {MAX_DENSE_ELEMENTS}, since xDSL's parser stores every element "
                "of a splat too: make the value a function argument or its shape smaller",
                start,
            )
        return dense_type


def decode_utf8(data: bytes, name: str) -> str:
    """`data` as text, or a ParseError at the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        span = Span(error.start, error.end, Input(data, name))
        byte = f"0x{data[error.start]:02x}"
        raise ParseError(span, f"byte {byte} is not UTF-8: litho-opt reads UTF-8 text") from None


def first_op_above_l3(module: ModuleOp) -> Operation | None:
    """The first op in `module` of a dialect that `-t litho-llvm` does not translate."""
    return next((op for op in module.walk() if op.dialect_name() not in L3_DIALECTS), None)


def first_invalid_op(module: ModuleOp) -> Operation | None:
    """The first op in `module`, parents before children, that does not verify."""
    for op in module.walk():
        try:
            op.verify(verify_nested_ops=False)
        except DiagnosticException:
            return op
    return None


class LithoOptMain(xDSLOptMain):
    """xdsl-opt with `--check-semantics`, and a message instead of a crash on bad input.

    Bytes that are not UTF-8, nesting deeper than Python's recursion limit and dense
    literals too large to hold become ParseErrors at their position; a missing file, an
    unknown pass and IR the LLVM target cannot take become LithoErrors naming them.
    """

    def __init__(self, args: Sequence[str] | None = None):
        self.op_spans: dict[Operation, Span[str]] = {}
        self.line_offset = 0
        super().__init__(args=args)

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        super().register_all_arguments(arg_parser)
        arg_parser.add_argument(
            "--check-semantics",
            metavar="INPUTS.npz",
            help="run the interpreter on the IR before and after the passes with these "
            "inputs (arrays arg0, arg1, ...) and fail if the results differ beyond the "
            "passes' declared tolerance",
        )

    def register_all_frontends(self) -> None:
        super().register_all_frontends()
        self.available_frontends["mlir"] = self.parse_mlir

    def parse_mlir(self, stream: IO[bytes]) -> ModuleOp:
        """Parse one input chunk with OptParser, failing at its position, not in Python."""
        name = self.get_input_name()
        text = decode_utf8(stream.read(), name)
        parser = OptParser(self.ctx, text, name, self.op_spans, self.line_offset)
        try:
            return parser.parse_module(not self.args.no_implicit_module)
        except RecursionError:
            pass  # report it below, once the stack has unwound
        parser.raise_error(
            "ops nest too deeply for litho-opt (Python's recursion limit is "
            f"{sys.getrecursionlimit()} frames): flatten the nesting"
        )

    def parse_chunk(
        self, chunk: IO[bytes], file_extension: str, start_offset: int = 0
    ) -> ModuleOp | None:
        self.line_offset = start_offset
        return super().parse_chunk(chunk, file_extension, start_offset)

    def get_input_stream(self) -> tuple[IO[bytes], str]:
        try:
            return super().get_input_stream()
        except OSError as error:
            raise LithoError(
                f"cannot read input file {self.args.input_file}: {error.strerror}"
            ) from None

    def prepare_input(self) -> tuple[list[tuple[IO[bytes], int]], str]:
        try:
            return super().prepare_input()
        except ValueError as error:  # an extension no frontend is registered for
            raise LithoError(
                f"{self.get_input_name()}: {error}; name the file .mlir or pass "
                "--frontend mlir"
            ) from None

    def setup_pipeline(self) -> None:
        """xDSL's pipeline from `-p`, with a LithoError naming a pass it does not know."""
        try:
            super().setup_pipeline()
        except ArgSpecParseError as error:
            raise LithoError(f"-p {self.args.passes!r}: {error}") from None
        except ValueError as error:
            problem = self.unknown_passes() or str(error)
            raise LithoError(f"-p {self.args.passes!r}: {problem}") from None

    def unknown_passes(self) -> str | None:
        """Each pass in `-p` that is not registered, with the nearest known name."""
        names = [spec.name for spec in parse_pipeline(self.args.passes)]
        problems = []
        for name in names:
            if name in self.available_passes:
                continue
            nearest = difflib.get_close_matches(name, self.available_passes, n=1)
            hint = f" (did you mean {nearest[0]!r}?)" if nearest else ""
            problems.append(f"unknown pass {name!r}{hint}")
        if not problems:
            return None
        return "; ".join(problems) + "; `litho-opt --help` lists the passes"

    def run(self) -> None:
        """xDSL's run; IR too deep or too large for Python becomes a LithoError."""
        name = self.get_input_name()
        try:
            super().run()
        except RecursionError:
            raise LithoError(
                f"{name}: the IR nests too deeply for litho-opt's passes or printer "
                f"(Python's recursion limit is {sys.getrecursionlimit()} frames): "
                "flatten the nesting"
            ) from None
        except MemoryError:
            raise LithoError(
                f"{name}: out of memory; the IR's tensors are too large for litho-opt"
            ) from None

    def apply_passes(self, prog: ModuleOp) -> None:
        """Run `-p` (checking semantics if asked); a failure names the op's location."""
        try:
            self.run_pipeline(prog)
        except DiagnosticException as error:
            if self.args.verify_diagnostics:
                raise
            raise LithoError(f"{self.failure_location(prog)}: {error}") from None

    def run_pipeline(self, prog: ModuleOp) -> None:
        if not self.args.check_semantics:
            super().apply_passes(prog)
            return
        from litho.compiler.testing.checks import check_pipeline_semantics

        problem = check_pipeline_semantics(
            prog, self.pipeline, self.ctx, self.args.check_semantics
        )
        if problem:
            print(f"litho-opt: semantics changed: {problem}", file=sys.stderr)
            sys.exit(1)
        print("litho-opt: semantics preserved on the given inputs", file=sys.stderr)

    def output_resulting_program(self, prog: ModuleOp) -> str:
        try:
            return super().output_resulting_program(prog)
        except LithoError as error:
            if parse_spec(self.args.target).name != "litho-llvm":
                raise
            raise LithoError(self.untranslatable(prog, error)) from None

    def untranslatable(self, module: ModuleOp, error: LithoError) -> str:
        """Why `-t litho-llvm` failed on `module`: the first op it does not take, if any."""
        from litho.lowering.targets.cpu.stages import CPU_STAGES

        passes = ",".join(spec for _, spec in CPU_STAGES)
        takes = f"it takes L3 IR ({', '.join(L3_DIALECTS)}) after litho-memory-plan"
        remedy = (
            f"run litho's lowering first: litho-opt {self.get_input_name()} -p {passes} "
            "-t litho-llvm"
        )
        op = first_op_above_l3(module)
        if op is None:
            return f"{self.get_input_name()}: -t litho-llvm failed: {error}; {takes}; {remedy}"
        return (
            f"{self.op_location(op)}: -t litho-llvm does not translate {op.name}; "
            f"{takes}; {remedy}"
        )

    def failure_location(self, module: ModuleOp) -> str:
        """Where `module` fails to verify: its first invalid op's location, or the file."""
        op = first_invalid_op(module)
        return self.get_input_name() if op is None else self.op_location(op)

    def op_location(self, op: Operation) -> str:
        """`file:line:column` of `op` if it came from the input, else the file name."""
        span = self.op_spans.get(op)
        return str(span.get_location()) if span else self.get_input_name()


def _fail(message: str) -> NoReturn:
    print(f"litho-opt: {message}", file=sys.stderr)
    sys.exit(1)


def litho_opt_main() -> None:
    """`litho-opt file.mlir -p pass,pass`: parse, run passes, print (see --help).

    Every failure is one message on stderr starting `litho-opt: `, never a traceback;
    one that litho did not foresee says so and asks to be reported.
    """
    try:
        LithoOptMain().run()
    except (ParseError, DiagnosticException, LithoError) as error:
        _fail(str(error).rstrip())
    except OSError as error:  # the output file, or a closed pipe
        where = f"{error.filename}: " if error.filename else ""
        _fail(f"{where}{error.strerror}")
    except Exception as error:
        _fail(f"internal error: {type(error).__name__}: {error}; please report it")


if __name__ == "__main__":
    sys.exit(main())
