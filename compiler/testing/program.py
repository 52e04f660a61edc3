"""A generated test program: a small DAG of `litho_tensor` ops, as IR and as a torch module.

One `Program` renders two ways, so the same case checks a pass (interpreter before and
after) and the whole compiler (`jit` of the torch module against torch eager).

```python
program = Program(
    arguments=(Argument(ValueSpec((2, 3), "f32")), Argument(ValueSpec((3,), "f32"))),
    nodes=(Node("sub", (0, 1), ValueSpec((2, 3), "f32")),),
    outputs=(2,),
)
module = program.to_module()     # func.func @main(%0: tensor<2x3xf32>, %1: tensor<3xf32>)
model = program.to_torch()       # forward(a0, a1) returns (a0 - a1,)
```

Values are numbered: arguments first, then one result per node in order.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import torch
from litho.compiler.testing.bounds import Bounds, monotone
from litho.dialects import tensor as lt
from litho.dialects.tensor import movement as lm
from litho.dialects.tensor import windows as lw
from litho.dialects.types import BY_NAME, FLOAT_NAMES
from litho.lowering.common.parameters import set_parameter_names
from xdsl.builder import ImplicitBuilder
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Attribute, Block, Region, SSAValue

ELEMENT_TYPES: dict[str, Attribute] = {name: row.attribute for name, row in BY_NAME.items()}
TORCH_DTYPES = {name: getattr(torch, row.torch_name) for name, row in BY_NAME.items()}
FLOAT_DTYPES = FLOAT_NAMES


@dataclass(frozen=True)
class ValueSpec:
    """The static type of a value: its shape and its dtype name (f32, f64, i32, i64, i1)."""

    shape: tuple[int, ...]
    dtype: str

    @property
    def tensor_type(self) -> TensorType:
        return TensorType(ELEMENT_TYPES[self.dtype], self.shape)

    @property
    def is_float(self) -> bool:
        return self.dtype in FLOAT_DTYPES


@dataclass(frozen=True)
class Argument:
    """A function argument; inputs for it are drawn from `[low, high]` (or booleans).

    `weight` names it as a model weight (`litho.parameter`), for parameter passes.
    """

    spec: ValueSpec
    low: float = -3.0
    high: float = 3.0
    weight: str | None = None


@dataclass(frozen=True)
class Node:
    """One op: its name in `litho_tensor` (without the prefix), operands, result, attributes.

    Attributes by op: `dims` (permute, reductions), `keepdim`, `predicate` (cmp),
    `approximate` (gelu), `value` (constant, a splat).
    """

    op: str
    operands: tuple[int, ...]
    result: ValueSpec
    attributes: dict[str, object] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Program:
    arguments: tuple[Argument, ...]
    nodes: tuple[Node, ...]
    outputs: tuple[int, ...]

    def spec_of(self, value: int) -> ValueSpec:
        if value < len(self.arguments):
            return self.arguments[value].spec
        return self.nodes[value - len(self.arguments)].result

    def with_dtype(self, old: str, new: str) -> Program:
        """The same program with every `old` tensor made `new` (as for an fp64 reference)."""

        def convert(spec: ValueSpec) -> ValueSpec:
            return replace(spec, dtype=new) if spec.dtype == old else spec

        arguments = tuple(replace(item, spec=convert(item.spec)) for item in self.arguments)
        nodes = tuple(replace(node, result=convert(node.result)) for node in self.nodes)
        return Program(arguments, nodes, self.outputs)

    def to_module(self) -> ModuleOp:
        """The program as `func.func @main` in a module, at the graph level (L1)."""
        input_types = [argument.spec.tensor_type for argument in self.arguments]
        output_types = [self.spec_of(value).tensor_type for value in self.outputs]
        block = Block(arg_types=input_types)
        values: list[SSAValue] = list(block.args)
        with ImplicitBuilder(block):
            for node in self.nodes:
                op = _IR_BUILDERS[node.op](node, [values[i] for i in node.operands])
                assert op.results[0].type == node.result.tensor_type, (node, op)
                values.append(op.results[0])
            func.ReturnOp(*(values[value] for value in self.outputs))
        function = func.FuncOp("main", (input_types, output_types), Region(block))
        set_parameter_names(function, [argument.weight for argument in self.arguments])
        return ModuleOp([function])

    def to_torch(self) -> torch.nn.Module:
        """The program as a torch module whose forward returns the outputs as a tuple."""
        return ProgramModule(self)


def _binary(op_type: type) -> Callable[[Node, Sequence[SSAValue]], lt.IRDLOperation]:
    return lambda node, operands: op_type(*operands)


def _unary(op_type: type) -> Callable[[Node, Sequence[SSAValue]], lt.IRDLOperation]:
    return lambda node, operands: op_type(operands[0])


def _reduction(op_type: type) -> Callable[[Node, Sequence[SSAValue]], lt.IRDLOperation]:
    return lambda node, operands: op_type(
        operands[0], node.attributes["dims"], bool(node.attributes["keepdim"])
    )


BINARY_OPS = {
    "add": lt.AddOp,
    "sub": lt.SubOp,
    "mul": lt.MulOp,
    "div": lt.DivOp,
    "max": lt.MaxOp,
    "min": lt.MinOp,
    "pow": lt.PowOp,
    "and": lt.AndOp,
    "or": lt.OrOp,
    "xor": lt.XorOp,
}


@dataclass(frozen=True)
class Unary:
    """A unary op the generators draw (its torch form is `torch.<name>`): its
    `litho_tensor` op, the bounds of its result from its operand's, and whether its
    operands must be positive."""

    op_type: type[lt.ElementwiseUnaryOp]
    bounds: Callable[[Bounds], Bounds]
    positive: bool = False


UNARY_OPS = {
    "neg": Unary(lt.NegOp, lambda a: Bounds(-a.high, -a.low, a.fraction_bits)),
    "exp": Unary(lt.ExpOp, monotone(math.exp)),
    "log": Unary(lt.LogOp, monotone(math.log), positive=True),
    "tanh": Unary(lt.TanhOp, monotone(math.tanh)),
    "sqrt": Unary(lt.SqrtOp, monotone(math.sqrt), positive=True),
    "rsqrt": Unary(lt.RsqrtOp, lambda a: Bounds(1 / math.sqrt(a.high), 1 / math.sqrt(a.low)),
                   positive=True),
    "erf": Unary(lt.ErfOp, monotone(math.erf)),
    "sigmoid": Unary(lt.SigmoidOp, lambda a: Bounds(0.0, 1.0)),
    "relu": Unary(lt.ReluOp, lambda a: Bounds(max(a.low, 0.0), max(a.high, 0.0), a.fraction_bits)),
    "abs": Unary(lt.AbsOp, lambda a: Bounds(max(a.low, -a.high, 0.0), a.magnitude,
                                             a.fraction_bits)),
    "reciprocal": Unary(lt.ReciprocalOp, lambda a: Bounds(1 / a.high, 1 / a.low), positive=True),
    "cos": Unary(lt.CosOp, lambda a: Bounds(-1.0, 1.0)),
    "sin": Unary(lt.SinOp, lambda a: Bounds(-1.0, 1.0)),
}
REDUCTION_OPS = {
    "reduce_sum": lt.ReduceSumOp,
    "reduce_mean": lt.ReduceMeanOp,
    "reduce_max": lt.ReduceMaxOp,
    "reduce_min": lt.ReduceMinOp,
}

def _scalar(value: object, like: SSAValue) -> SSAValue:
    """A 0-d splat constant of `like`'s element type, made in the builder's block."""
    element_type = like.type.get_element_type()
    return lt.ConstantOp.splat(value, TensorType(element_type, [])).result


_IR_BUILDERS: dict[str, Callable[[Node, Sequence[SSAValue]], lt.IRDLOperation]] = {
    **{name: _binary(op_type) for name, op_type in BINARY_OPS.items()},
    **{name: _unary(unary.op_type) for name, unary in UNARY_OPS.items()},
    **{name: _reduction(op_type) for name, op_type in REDUCTION_OPS.items()},
    "gelu": lambda node, operands: lt.GeluOp(operands[0], str(node.attributes["approximate"])),
    "cmp": lambda node, operands: lt.CmpOp(str(node.attributes["predicate"]), *operands),
    "int_div": lambda node, operands: lt.IntegerDivOp(
        operands[0], _scalar(node.attributes["divisor"], operands[0]),
        str(node.attributes["rounding"]),
    ),
    "where": lambda node, operands: lt.WhereOp(*operands),
    "cast": lambda node, operands: lt.CastOp(operands[0], node.result.tensor_type),
    "broadcast": lambda node, operands: lt.BroadcastOp(operands[0], node.result.tensor_type),
    "reshape": lambda node, operands: lt.ReshapeOp(operands[0], node.result.tensor_type),
    "permute": lambda node, operands: lt.PermuteOp(operands[0], node.attributes["dims"]),
    "matmul": lambda node, operands: lt.MatmulOp(*operands),
    "attention": lambda node, operands: lt.AttentionOp(
        *operands[:3], operands[3] if len(operands) > 3 else None, node.attributes["scale"],
        bool(node.attributes["zero_masked_rows"]),
    ),
    "constant": lambda node, operands: lt.ConstantOp.splat(
        node.attributes["value"], node.result.tensor_type
    ),
    "iota": lambda node, operands: lm.IotaOp(node.result.tensor_type, node.attributes["dim"]),
    "slice": lambda node, operands: lm.SliceOp(
        operands[0],
        node.attributes["dim"],
        node.attributes["start"],
        node.attributes["step"],
        node.result.shape[node.attributes["dim"]],
    ),
    "concat": lambda node, operands: lm.ConcatOp(operands, node.attributes["dim"]),
    "take": lambda node, operands: lm.TakeOp(*operands, node.attributes["dim"]),
    "gather": lambda node, operands: lm.GatherOp(*operands, node.attributes["dim"]),
    "check_bounds": lambda node, operands: lm.CheckBoundsOp(
        operands[0],
        node.attributes["size"],
        node.attributes["dim"],
        "a generated check",
        bool(node.attributes["wrap"]),
    ),
    "scatter": lambda node, operands: lm.ScatterOp(
        *operands, node.attributes["dim"], bool(node.attributes["accumulate"])
    ),
    "cumsum": lambda node, operands: lm.CumsumOp(operands[0], node.attributes["dim"]),
    "sort": lambda node, operands: lm.SortOp(
        operands[0], node.attributes["dim"], bool(node.attributes["descending"])
    ),
    "pad": lambda node, operands: lw.PadOp(
        operands[0], node.attributes["low"], node.attributes["high"], node.attributes["value"]
    ),
    "conv": lambda node, operands: lw.ConvOp(
        *operands,
        node.attributes["stride"],
        node.attributes["dilation"],
        node.attributes["groups"],
    ),
    "pool": lambda node, operands: lw.PoolOp(
        operands[0],
        node.attributes["kind"],
        node.attributes["window"],
        node.attributes["stride"],
        node.attributes["dilation"],
    ),
}

_TORCH_BINARY = {
    "add": torch.add,
    "sub": torch.sub,
    "mul": torch.mul,
    "div": torch.div,
    "max": torch.maximum,
    "min": torch.minimum,
    "pow": torch.pow,
    "and": torch.bitwise_and,
    "or": torch.bitwise_or,
    "xor": torch.bitwise_xor,
}
_TORCH_UNARY = {name: getattr(torch, name) for name in UNARY_OPS}
_TORCH_COMPARISONS = {
    "eq": torch.eq,
    "ne": torch.ne,
    "lt": torch.lt,
    "le": torch.le,
    "gt": torch.gt,
    "ge": torch.ge,
}
_TORCH_REDUCTIONS = {
    "reduce_sum": torch.sum,
    "reduce_mean": torch.mean,
    "reduce_max": torch.amax,
    "reduce_min": torch.amin,
}


def run_torch_node(node: Node, operands: Sequence[torch.Tensor]) -> torch.Tensor:
    """What `node` computes, in torch, with the result dtype the IR gives it."""
    name, attributes = node.op, node.attributes
    if name in _TORCH_BINARY:
        return _TORCH_BINARY[name](*operands)
    if name in _TORCH_UNARY:
        return _TORCH_UNARY[name](operands[0])
    if name in _TORCH_REDUCTIONS:
        reduced = _TORCH_REDUCTIONS[name](
            operands[0], list(attributes["dims"]), keepdim=bool(attributes["keepdim"])
        )
        return reduced.to(TORCH_DTYPES[node.result.dtype])
    match name:
        case "gelu":
            return torch.nn.functional.gelu(operands[0], approximate=attributes["approximate"])
        case "cmp":
            return _TORCH_COMPARISONS[attributes["predicate"]](*operands)
        case "int_div":  # by a Python number, as the importer requires
            divisor, rounding = int(attributes["divisor"]), attributes["rounding"]
            return torch.div(operands[0], divisor, rounding_mode=rounding)
        case "where":
            return torch.where(*operands)
        case "cast":
            return operands[0].to(TORCH_DTYPES[node.result.dtype])
        case "broadcast":
            return operands[0].expand(node.result.shape)
        case "reshape":
            return operands[0].reshape(node.result.shape)
        case "permute":
            return operands[0].permute(*attributes["dims"])
        case "matmul":
            return torch.matmul(*operands)
        case "attention":
            query, key_t, value, *mask = operands
            scores = (query * attributes["scale"]) @ key_t
            scores = scores + mask[0] if mask else scores
            probabilities = torch.softmax(scores, -1)
            if attributes["zero_masked_rows"]:
                masked_whole = scores.amax(-1, keepdim=True) == float("-inf")
                probabilities = torch.where(masked_whole, 0.0, probabilities)
            return probabilities @ value
    return _run_torch_movement(node, operands)


def _run_torch_movement(node: Node, operands: Sequence[torch.Tensor]) -> torch.Tensor:
    attributes, dtype = node.attributes, TORCH_DTYPES[node.result.dtype]
    match node.op:
        case "iota":
            dim, shape = attributes["dim"], node.result.shape
            index = torch.arange(shape[dim]).reshape([-1] + [1] * (len(shape) - dim - 1))
            return index.expand(shape).to(dtype)
        case "slice":
            dim, start, step = attributes["dim"], attributes["start"], attributes["step"]
            stop = start + node.result.shape[dim] * step
            return operands[0][(slice(None),) * dim + (slice(start, stop, step),)]
        case "concat":
            return torch.cat(operands, attributes["dim"])
        case "take":
            source, index = operands
            size = source.shape[attributes["dim"]]
            index = torch.where(index < 0, index + size, index)
            taken = source.index_select(attributes["dim"], index.flatten())
            return taken.reshape(node.result.shape)
        case "gather":
            return torch.gather(operands[0], attributes["dim"], operands[1])
        case "check_bounds":
            index = operands[0]
            return torch.where(index < 0, index + attributes["size"], index)
        case "scatter":
            return _torch_scatter(*operands, attributes["dim"], bool(attributes["accumulate"]))
        case "cumsum":
            return torch.cumsum(operands[0], attributes["dim"]).to(dtype)
        case "sort":
            descending = bool(attributes["descending"])
            return torch.sort(operands[0], dim=attributes["dim"], descending=descending,
                              stable=True).values
        case "pad":
            pairs = zip(attributes["low"][::-1], attributes["high"][::-1], strict=True)
            widths = [width for pair in pairs for width in pair]
            return torch.nn.functional.pad(operands[0], widths, value=attributes["value"])
        case "conv":
            convolve = getattr(torch.nn.functional, f"conv{operands[0].dim() - 2}d")
            return convolve(
                *operands,
                stride=attributes["stride"],
                dilation=attributes["dilation"],
                groups=attributes["groups"],
            )
        case "pool":
            return _torch_pool(operands[0], node)
    raise ValueError(f"no torch rendering for op {node.op!r}")


def _torch_scatter(
    dest: torch.Tensor, index: torch.Tensor, updates: torch.Tensor, dim: int, accumulate: bool
) -> torch.Tensor:
    """Each update written (added, with `accumulate`) at its index in turn, so the last
    write wins. Eager only: the loop reads the indices' values."""
    result = dest.clone()
    target = result.movedim(dim, 0)  # a view of `result`
    count = index.dim()
    moved = updates.movedim(list(range(dim, dim + count)), list(range(count)))
    pieces = moved.reshape(-1, *target.shape[1:])
    for k, position in enumerate(index.flatten().tolist()):
        target[position] = target[position] + pieces[k] if accumulate else pieces[k]
    return result


def _torch_pool(x: torch.Tensor, node: Node) -> torch.Tensor:
    """Max or sum over each window, one window offset at a time."""
    window, stride = node.attributes["window"], node.attributes["stride"]
    dilation = node.attributes["dilation"]
    out_sizes = node.result.shape[len(node.result.shape) - len(window) :]
    leading = (slice(None),) * (x.dim() - len(window))
    result = None
    for offsets in itertools.product(*(range(size) for size in window)):
        spatial = tuple(
            slice(k * d, k * d + s * (n - 1) + 1, s)
            for k, s, d, n in zip(offsets, stride, dilation, out_sizes, strict=True)
        )
        values = x[leading + spatial]
        if result is None:
            result = values.clone()
        elif node.attributes["kind"] == "max":
            result = torch.maximum(result, values)
        else:
            result = result + values
    return result


class ProgramModule(torch.nn.Module):
    """A `Program` as a torch module; splat constants are buffers, as model constants are."""

    def __init__(self, program: Program):
        super().__init__()
        self.program = program
        for index, node in enumerate(program.nodes):
            if node.op == "constant":
                dtype = TORCH_DTYPES[node.result.dtype]
                value = torch.full(node.result.shape, node.attributes["value"], dtype=dtype)
                self.register_buffer(f"constant{index}", value)

    def forward(self, *inputs: torch.Tensor) -> tuple[torch.Tensor, ...]:
        values = list(inputs)
        for index, node in enumerate(self.program.nodes):
            if node.op == "constant":
                values.append(getattr(self, f"constant{index}"))
                continue
            values.append(run_torch_node(node, [values[i] for i in node.operands]))
        return tuple(values[value] for value in self.program.outputs)
