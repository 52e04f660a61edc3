"""Reducing a failing program further than hypothesis's shrinker does.

Hypothesis shrinks the choices that built a program; it cannot see that an op unrelated
to the failure may go. This reducer works on the program itself, greedily:

1. keep only one output, if the failure persists;
2. cut an op's result loose: the op and everything only it needed are replaced by a new
   argument that receives exactly the value the op produced, so the rest of the program
   computes what it computed before.

Every candidate is rerun through the same check; the smallest that still fails is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from litho.compiler.interpreter import run_function
from litho.compiler.testing.program import Argument, Node, Program

StillFails = Callable[[Program, list[np.ndarray]], bool]


def all_values(program: Program, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """The reference value of every value of `program`: arguments, then each op's result."""
    every_node = tuple(range(len(program.arguments), len(program.arguments) + len(program.nodes)))
    probe = Program(program.arguments, program.nodes, every_node)
    return [*inputs, *run_function(probe.to_module(), inputs)]


def restructure(
    program: Program,
    values: Sequence[np.ndarray],
    outputs: Sequence[int],
    cut: set[int],
) -> tuple[Program, list[np.ndarray]]:
    """`program` computing only `outputs`, with the values in `cut` made arguments."""
    needed: set[int] = set()
    pending = list(outputs)
    argument_count = len(program.arguments)
    while pending:
        value = pending.pop()
        if value in needed:
            continue
        needed.add(value)
        if value >= argument_count and value not in cut:
            pending.extend(program.nodes[value - argument_count].operands)
    leaves = [value for value in sorted(needed) if value < argument_count or value in cut]
    number = {value: index for index, value in enumerate(leaves)}
    arguments = tuple(
        program.arguments[value] if value < argument_count
        else Argument(program.spec_of(value), float(np.min(values[value])),
                      float(np.max(values[value])))
        for value in leaves
    )
    nodes: list[Node] = []
    for value in sorted(needed - set(leaves)):
        node = program.nodes[value - argument_count]
        operands = tuple(number[operand] for operand in node.operands)
        nodes.append(Node(node.op, operands, node.result, node.attributes))
        number[value] = len(leaves) + len(nodes) - 1
    reduced = Program(arguments, tuple(nodes), tuple(number[value] for value in outputs))
    return reduced, [np.array(values[value]) for value in leaves]


def reduce_program(
    program: Program, inputs: Sequence[np.ndarray], still_fails: StillFails
) -> tuple[Program, list[np.ndarray]]:
    """The smallest variant of a failing `program` (with its inputs) that still fails."""
    values = all_values(program, inputs)
    outputs: tuple[int, ...] = program.outputs
    cut: set[int] = set()
    best = restructure(program, values, outputs, cut)
    for output in program.outputs:
        candidate = restructure(program, values, (output,), cut)
        if len(outputs) > 1 and still_fails(*candidate):
            outputs, best = (output,), candidate
            break
    argument_count = len(program.arguments)
    changed = True
    while changed:
        changed = False
        for value in range(argument_count + len(program.nodes) - 1, argument_count - 1, -1):
            if value in cut or value in outputs:
                continue
            candidate = restructure(program, values, outputs, cut | {value})
            if len(candidate[0].nodes) < len(best[0].nodes) and still_fails(*candidate):
                cut.add(value)
                best = candidate
                changed = True
    return best
