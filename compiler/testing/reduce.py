"""Reducing a failing program further than hypothesis's shrinker does.

Hypothesis shrinks the choices that built a program; it cannot see that an op unrelated
to the failure may go. This reducer works on the program itself, greedily:

1. keep only one output, if the failure persists;
2. cut an op's result loose: the op and everything only it needed are replaced by a new
   argument that receives exactly the value the op produced, so the rest of the program
   computes what it computed before;
3. splice an op out: its uses read one of its operands of the same type instead (a
   `relu` or a `neg` the failure does not need goes, and its operand's producer stays);
4. replace an op by a plain copy of an operand of its type (an identity `permute`), for a
   failure that needs some computed value there but not the op's own constants.

A candidate is smaller when its IR has fewer ops (an op's constants count).

Every candidate is rerun through the same check; the smallest that still fails is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from litho.compiler.entry import entry_function
from litho.compiler.interpreter import run_function
from litho.compiler.testing.program import Argument, Node, Program

StillFails = Callable[[Program, list[np.ndarray]], bool]


def all_values(program: Program, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
    """The reference value of every value of `program`: arguments, then each op's result."""
    every_node = tuple(range(len(program.arguments), len(program.arguments) + len(program.nodes)))
    probe = Program(program.arguments, program.nodes, every_node)
    return [*inputs, *run_function(probe.to_module(), inputs)]


def resolve_splices(value: int, spliced: dict[int, int]) -> int:
    """The value that stands for `value` once the ops in `spliced` are spliced out."""
    while value in spliced:
        value = spliced[value]
    return value


def restructure(
    program: Program,
    values: Sequence[np.ndarray],
    outputs: Sequence[int],
    cut: set[int],
    spliced: dict[int, int] | None = None,
) -> tuple[Program, list[np.ndarray]]:
    """`program` computing only `outputs`, with the values in `cut` made arguments and
    each value in `spliced` replaced by the operand it maps to."""
    spliced = spliced or {}

    def resolve(value: int) -> int:
        return resolve_splices(value, spliced)

    outputs = [resolve(value) for value in outputs]
    needed: set[int] = set()
    pending = list(outputs)
    argument_count = len(program.arguments)
    while pending:
        value = pending.pop()
        if value in needed:
            continue
        needed.add(value)
        if value >= argument_count and value not in cut:
            node = program.nodes[value - argument_count]
            pending.extend(resolve(operand) for operand in node.operands)
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
        operands = tuple(number[resolve(operand)] for operand in node.operands)
        nodes.append(Node(node.op, operands, node.result, node.attributes))
        number[value] = len(leaves) + len(nodes) - 1
    reduced = Program(arguments, tuple(nodes), tuple(number[value] for value in outputs))
    return reduced, [np.array(values[value]) for value in leaves]


def reduce_program(
    program: Program,
    inputs: Sequence[np.ndarray],
    still_fails: StillFails,
    splice_ops: bool = True,
) -> tuple[Program, list[np.ndarray]]:
    """The smallest variant of a failing `program` (with its inputs) that still fails.

    With `splice_ops=False` only cuts are tried, so every candidate computes the values
    the original computes (splicing an op out changes what its users see).
    """
    values = all_values(program, inputs)
    reduction = _Reduction(program, values, still_fails)
    reduction.keep_one_output()
    changed = True
    while changed:
        changed = reduction.cut_ops() | (
            splice_ops and (reduction.splice_ops() | reduction.copy_ops())
        )
    return reduction.best


def ir_size(program: Program) -> int:
    """The ops of `program`'s IR, constants included, the return not."""
    return len(entry_function(program.to_module()).body.block.ops) - 1


class _Reduction:
    """The state of one reduction: outputs kept, values cut, ops spliced, best so far."""

    def __init__(self, program: Program, values: list[np.ndarray], still_fails: StillFails):
        self.program, self.values, self.still_fails = program, values, still_fails
        self.outputs: tuple[int, ...] = program.outputs
        self.cut: set[int] = set()
        self.spliced: dict[int, int] = {}
        self.best = self.candidate()

    def candidate(self, cut: set[int] | None = None, spliced: dict[int, int] | None = None,
                  outputs: tuple[int, ...] | None = None) -> tuple[Program, list[np.ndarray]]:
        return restructure(
            self.program, self.values, outputs or self.outputs,
            self.cut if cut is None else cut, self.spliced if spliced is None else spliced,
        )

    def accept(self, candidate: tuple[Program, list[np.ndarray]]) -> bool:
        """Keep `candidate` if it has fewer ops than the best and still fails."""
        if ir_size(candidate[0]) >= ir_size(self.best[0]):
            return False
        if not self.still_fails(*candidate):
            return False
        self.best = candidate
        return True

    def keep_one_output(self) -> None:
        if len(self.outputs) < 2:
            return
        for output in self.outputs:
            candidate = self.candidate(outputs=(output,))
            if self.still_fails(*candidate):
                self.outputs, self.best = (output,), candidate
                return

    def node_values(self) -> range:
        """The values ops produce, last first."""
        count = len(self.program.arguments)
        return range(count + len(self.program.nodes) - 1, count - 1, -1)

    def cut_ops(self) -> bool:
        """Cut each op whose cut keeps the failure; whether any was cut."""
        changed = False
        outputs = {resolve_splices(value, self.spliced) for value in self.outputs}
        for value in self.node_values():
            if value in self.cut or value in outputs or value in self.spliced:
                continue
            if self.accept(self.candidate(cut=self.cut | {value})):
                self.cut.add(value)
                changed = True
        return changed

    def splice_ops(self) -> bool:
        """Splice out each op that has an operand of its type, if the failure stays."""
        changed = False
        for value in self.node_values():
            if value in self.cut or value in self.spliced:
                continue
            node = self.program.nodes[value - len(self.program.arguments)]
            for operand in dict.fromkeys(node.operands):
                if self.program.spec_of(operand) != node.result:
                    continue
                spliced = {**self.spliced, value: operand}
                if self.accept(self.candidate(spliced=spliced)):
                    self.spliced = spliced
                    changed = True
                    break
        return changed

    def copy_ops(self) -> bool:
        """Replace each op by a copy of an operand of its type, if the failure stays."""
        changed = False
        argument_count = len(self.program.arguments)
        for value in self.node_values():
            if value in self.cut or value in self.spliced:
                continue
            node = self.program.nodes[value - argument_count]
            copy_dims = tuple(range(len(node.result.shape)))
            if node.op == "permute" and tuple(node.attributes["dims"]) == copy_dims:
                continue
            for operand in dict.fromkeys(node.operands):
                if self.program.spec_of(operand) != node.result:
                    continue
                copy = Node("permute", (operand,), node.result, {"dims": copy_dims})
                nodes = list(self.program.nodes)
                nodes[value - argument_count] = copy
                program = Program(self.program.arguments, tuple(nodes), self.program.outputs)
                values = all_values(program, self.values[:argument_count])
                if self.accept(restructure(program, values, self.outputs, self.cut,
                                           self.spliced)):
                    self.program, self.values = program, values
                    changed = True
                    break
        return changed
