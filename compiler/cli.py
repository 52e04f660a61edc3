"""Command-line entry points: `litho` (`demo`, `fuzz`) and `litho-opt`.

`litho-opt` is xDSL's `xdsl-opt` driver; litho's dialects, passes and the `litho-llvm`
target reach it (and plain `xdsl-opt`) through the `xdsl.universe` entry point. It adds
`--check-semantics INPUTS.npz`, which runs the interpreter on the input and output IR and
fails if the passes changed the results beyond their declared tolerance.
"""

from __future__ import annotations

import argparse
import sys

from xdsl.dialects.builtin import ModuleOp
from xdsl.utils.exceptions import DiagnosticException, ParseError
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
    arguments = parser.parse_args(argv)
    if arguments.command == "demo":
        from litho.compiler.demo import run_demo

        run_demo(arguments.batch, arguments.length, arguments.width)
        return 0
    from litho.compiler.testing.fuzz import run_campaign

    return run_campaign(arguments.cases, arguments.seed, arguments.max_ops)


class LithoOptMain(xDSLOptMain):
    """xdsl-opt with `--check-semantics`."""

    def register_all_arguments(self, arg_parser: argparse.ArgumentParser) -> None:
        super().register_all_arguments(arg_parser)
        arg_parser.add_argument(
            "--check-semantics",
            metavar="INPUTS.npz",
            help="run the interpreter on the IR before and after the passes with these "
            "inputs (arrays arg0, arg1, ...) and fail if the results differ beyond the "
            "passes' declared tolerance",
        )

    def apply_passes(self, prog: ModuleOp) -> None:
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


def litho_opt_main() -> None:
    """`litho-opt file.mlir -p pass,pass`: parse, run passes, print (see --help).

    Errors in the input or from a pass are printed as messages, not tracebacks.
    """
    try:
        LithoOptMain().run()
    except (ParseError, DiagnosticException) as error:
        print(f"litho-opt: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    sys.exit(main())
