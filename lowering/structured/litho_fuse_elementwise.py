"""litho-fuse-elementwise: elementwise producers fused into the generics that read them.

Input and output: L2 (`linalg.generic` on tensors). A producer is a generic whose
iterators are all parallel and whose one output map is a permutation; a consumer is any
generic reading the producer's result as an input. The fused generic keeps the
consumer's loops: it reads the producer's inputs through the producer's maps composed
with the consumer's (a transpose or broadcast becomes an indexing map, not a copy), and
its body computes the producer's value where the consumer read it. The producer is
erased when nothing else reads it. Nothing is computed in another order, so the pass is
exact.

```mlir
%e = linalg.generic {maps = [id, id]} ins(%x) outs(%t1) { exp }      // producer
%y = linalg.generic {maps = [id, id, id]} ins(%e, %z) outs(%t2) { mulf }
// becomes one generic: ins(%x, %z) { exp, mulf }
```

A producer is not fused, and says why in `litho.unfused` (which the compile report and
`explain()` list, with the producer's source line), when fusing would change what is
computed or cost more than its buffer:

- it is a reduction, has several results, reads its own output, or reads by computed
  index (a gather: its `linalg.index` values would need the consumer's loops), or its
  body holds more than arith and math (a `litho_guard` check must report the first bad
  index in program order);
- its body does real work (more than `CHEAP_OPS` cheap arithmetic ops, or any division
  or math function) and fusing would recompute it: the consumer reads each element
  more than once (a matmul reading it for every output column), or it has other users.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from litho.dialects.attributes import ATTENTION_ATTRIBUTE, UNFUSED_ATTRIBUTE
from litho.lowering.common.pattern_pass import PatternPass
from litho.lowering.common.tolerance import EXACT, Tolerance
from xdsl.dialects import arith, tensor
from xdsl.dialects.builtin import AffineMapAttr, StringAttr
from xdsl.dialects.linalg import ops as linalg
from xdsl.ir import Block, Operation, Region, SSAValue
from xdsl.ir.affine import AffineDimExpr, AffineExpr, AffineMap
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern, op_type_rewrite_pattern

CHEAP_OPS = 3
"""The most ops a body may have and still be recomputed freely (besides its yield)."""

_EXPENSIVE = (arith.DivfOp, arith.DivSIOp, arith.DivUIOp, arith.RemSIOp, arith.RemUIOp,
              arith.FloorDivSIOp, arith.CeilDivSIOp)


def _is_parallel(generic: linalg.GenericOp) -> bool:
    return all(str(kind.data) == "parallel" for kind in generic.iterator_types)


def _body_ops(generic: linalg.GenericOp) -> list[Operation]:
    return [op for op in generic.body.block.ops if not isinstance(op, linalg.YieldOp)]


def is_cheap(generic: linalg.GenericOp) -> bool:
    """Whether recomputing `generic`'s body costs about as little as loading its result:
    a copy, a constant, or a few arithmetic ops without divisions or math functions."""
    ops = _body_ops(generic)
    return len(ops) <= CHEAP_OPS and all(
        op.dialect_name() == "arith" and not isinstance(op, _EXPENSIVE) for op in ops
    )


def _reads_each_element_once(consumer: linalg.GenericOp, index: int) -> bool:
    """Whether the consumer's loops visit each element of input `index` once."""
    read = consumer.indexing_maps.data[index].data
    return len(read.used_dims()) == read.num_dims


def _strided_inner_read(producer: linalg.GenericOp, consumer: linalg.GenericOp,
                        index: int) -> bool:
    """Whether a fused input map indexes a dim other than the last with the consumer's
    innermost loop (so each step of that loop jumps a whole row)."""
    innermost = consumer.indexing_maps.data[index].data.num_dims - 1
    for map_ in _fused_maps(producer, consumer.indexing_maps.data[index].data):
        if not map_.data.results:
            continue
        *outer, last = map_.data.results
        if innermost in _dims(last):
            continue
        if any(innermost in _dims(expr) for expr in outer):
            return True
    return False


def _dims(expr: AffineExpr) -> set[int]:
    return {part.position for part in expr.dfs() if isinstance(part, AffineDimExpr)}


def _loop_bounds_known(producer: linalg.GenericOp, consumer: linalg.GenericOp,
                       index: int) -> bool:
    """Whether each loop of the fused generic still indexes some operand by itself (the
    loop bounds come from operand shapes, as in MLIR)."""
    maps = consumer.indexing_maps.data
    reads = [*maps[:index], *_fused_maps(producer, maps[index].data), *maps[index + 1 :]]
    results = tuple(expr for map_ in reads for expr in map_.data.results)
    return AffineMap(maps[index].data.num_dims, 0, results).inverse_permutation() is not None


def refusal(producer: linalg.GenericOp, consumer: linalg.GenericOp, index: int) -> str | None:
    """Why `producer` is not fused into input `index` of `consumer`, or None to fuse."""
    if ATTENTION_ATTRIBUTE in producer.attributes:
        return "it is part of an attention, which runs as one kernel"
    if ATTENTION_ATTRIBUTE in consumer.attributes:
        return "its reader is part of an attention, which runs as one kernel"
    if len(producer.outputs) != 1:
        return "it has several results"
    if not _is_parallel(producer):
        return "it is a reduction (its result is complete only after all its loops)"
    if any(isinstance(op, linalg.IndexOp) for op in producer.body.walk()):
        return "it reads by computed index (a gather)"
    if any(op.dialect_name() not in ("arith", "math") for op in _body_ops(producer)):
        return "its body is not plain arithmetic (a run-time check runs in program order)"
    if producer.body.block.args[-1].uses:
        return "its body reads its output"
    if producer.indexing_maps.data[-1].data.inverse_permutation() is None:
        return "its output map is not a permutation"
    if not _loop_bounds_known(producer, consumer, index):
        return "the consumer's loops would have no operand to take their bounds from"
    if is_cheap(producer):
        if not _reads_each_element_once(consumer, index) and _strided_inner_read(
            producer, consumer, index
        ):
            return "the consumer would read its inputs with a stride in its innermost loop"
        return None
    if not _reads_each_element_once(consumer, index):
        return "its body would be recomputed for every read of an element by the consumer"
    users = {use.operation for use in producer.results[0].uses}
    if len(users) > 1:
        return f"it has {len(users)} users and its body would be recomputed in each"
    return None


def _fused_maps(producer: linalg.GenericOp, read: AffineMap) -> list[AffineMapAttr]:
    """The producer's input maps in the consumer's loops: input map o output map^-1 o read."""
    to_producer_loops = producer.indexing_maps.data[-1].data.inverse_permutation()
    assert to_producer_loops is not None
    return [AffineMapAttr(map_.data.compose(to_producer_loops).compose(read))
            for map_ in producer.indexing_maps.data[: len(producer.inputs)]]


def fuse(producer: linalg.GenericOp, consumer: linalg.GenericOp, index: int) -> linalg.GenericOp:
    """One generic in the consumer's loops computing the producer where input `index`
    was read. An input read twice through the same map becomes one input."""
    maps = consumer.indexing_maps.data
    reads = [
        *zip(consumer.inputs[:index], maps[:index], strict=True),
        *zip(producer.inputs, _fused_maps(producer, maps[index].data), strict=True),
        *zip(consumer.inputs[index + 1 :], maps[index + 1 : len(consumer.inputs)], strict=True),
    ]
    unique = list(dict.fromkeys(reads))
    consumer_args = consumer.body.block.args
    outputs = consumer_args[len(consumer.inputs) :]
    block = Block(arg_types=[value.type.get_element_type() for value, _ in unique]
                  + [arg.type for arg in outputs])
    read_args = [block.args[unique.index(read)] for read in reads]
    producer_count = len(producer.inputs)
    producer_values: dict[SSAValue, SSAValue] = dict(
        zip(producer.body.block.args[:producer_count],
            read_args[index : index + producer_count], strict=True)
    )
    consumer_values: dict[SSAValue, SSAValue] = dict(
        zip(consumer_args[:index], read_args[:index], strict=True)
    )
    consumer_values[consumer_args[index]] = _clone_body(producer.body.block, block,
                                                        producer_values)
    consumer_values |= dict(zip(consumer_args[index + 1 : len(consumer.inputs)],
                                read_args[index + producer_count :], strict=True))
    consumer_values |= dict(zip(outputs, block.args[len(unique) :], strict=True))
    block.add_op(linalg.YieldOp(*_clone_body(consumer.body.block, block, consumer_values,
                                             yielded=True)))
    return linalg.GenericOp(
        [value for value, _ in unique], list(consumer.outputs), Region(block),
        [map_ for _, map_ in unique] + list(maps[len(consumer.inputs) :]),
        consumer.iterator_types, consumer.result_types,
    )


def _clone_body(source: Block, target: Block, values: dict[SSAValue, SSAValue],
                yielded: bool = False):
    """Clone `source`'s ops but its yield into `target`; return the yielded value (or all
    of them, with `yielded`), as seen in `target`."""
    for op in source.ops:
        if isinstance(op, linalg.YieldOp):
            results = [values.get(value, value) for value in op.operands]
            return results if yielded else results[0]
        target.add_op(op.clone(value_mapper=values))
    raise AssertionError("a generic's body ends with linalg.yield")


class FuseProducerPattern(RewritePattern):
    """Fuse the first fusable producer of a generic's inputs into it."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, consumer: linalg.GenericOp, rewriter: PatternRewriter) -> None:
        for index, value in enumerate(consumer.inputs):
            producer = value.owner
            if not isinstance(producer, linalg.GenericOp):
                continue
            reason = refusal(producer, consumer, index)
            if reason is not None:
                producer.attributes[UNFUSED_ATTRIBUTE] = StringAttr(reason)
                continue
            rewriter.replace(consumer, fuse(producer, consumer, index))
            if not producer.results[0].uses:
                rewriter.erase(producer)
                empty = producer.outputs[0].owner
                if isinstance(empty, tensor.EmptyOp) and not empty.tensor.uses:
                    rewriter.erase(empty)
            return


@dataclass(frozen=True)
class LithoFuseElementwise(PatternPass):
    name = "litho-fuse-elementwise"
    tolerance: ClassVar[Tolerance] = EXACT
    marks_refusals: ClassVar[bool] = True
    """The compile report lists the producers this pass marks `litho.unfused`."""

    def patterns(self) -> list[RewritePattern]:
        return [FuseProducerPattern()]

