"""This machine's fp32 FMA peak, measured: the yardstick for a GEMM's "% of peak".

A generated loop keeps `ACCUMULATORS` independent vector FMA chains at the host's widest
vector width in flight (enough to cover the FMA latency on current x86 cores), so it runs
at the core's FMA throughput. The peak of `threads` cores is that times `threads`.
"""

from __future__ import annotations

import ctypes
import functools
import time

import llvmlite.binding as llvm
import llvmlite.ir as ir
from litho.runtime.engine import JitEngine

ACCUMULATORS = 12
ITERATIONS = 20_000_000 // ACCUMULATORS


def vector_lanes() -> int:
    """fp32 lanes of the host's widest vector registers (16 with AVX-512)."""
    features = llvm.get_host_cpu_features()
    if features.get("avx512f"):
        return 16
    return 8 if features.get("avx") else 4


def _fma_loop(lanes: int) -> str:
    """`void fma_loop(i64 n, <lanes x float>* out)`: n iterations of ACCUMULATORS vector FMAs."""
    vector = ir.VectorType(ir.FloatType(), lanes)
    module = ir.Module("peak")
    fma = ir.Function(module, ir.FunctionType(vector, [vector] * 3), f"llvm.fma.v{lanes}f32")
    function = ir.Function(module, ir.FunctionType(ir.VoidType(), [ir.IntType(64),
                                                                     vector.as_pointer()]),
                           "fma_loop")
    count, out = function.args
    entry, loop, done = (function.append_basic_block(name) for name in ("entry", "loop", "done"))
    builder = ir.IRBuilder(entry)
    scale = ir.Constant(vector, [ir.Constant(ir.FloatType(), 0.999999)] * lanes)
    step = ir.Constant(vector, [ir.Constant(ir.FloatType(), 1e-7)] * lanes)
    builder.branch(loop)
    builder.position_at_end(loop)
    index = builder.phi(ir.IntType(64))
    chains = [builder.phi(vector) for _ in range(ACCUMULATORS)]
    updated = [builder.call(fma, [chain, scale, step]) for chain in chains]
    following = builder.add(index, ir.Constant(ir.IntType(64), 1))
    index.add_incoming(ir.Constant(ir.IntType(64), 0), entry)
    index.add_incoming(following, loop)
    for number, (chain, new) in enumerate(zip(chains, updated, strict=True)):
        chain.add_incoming(ir.Constant(vector, [ir.Constant(ir.FloatType(), number)] * lanes),
                           entry)
        chain.add_incoming(new, loop)
    builder.cbranch(builder.icmp_signed("<", following, count), loop, done)
    builder.position_at_end(done)
    total = functools.reduce(builder.fadd, updated)
    builder.store(total, out, align=4)
    builder.ret_void()
    return str(module)


@functools.cache
def core_peak_gflops() -> float:
    """Measured fp32 GFLOP/s of one core (the best of 3 runs of about 0.1 s)."""
    lanes = vector_lanes()
    engine = JitEngine(_fma_loop(lanes))
    address = engine._engine.get_function_address("fma_loop")
    loop = ctypes.CFUNCTYPE(None, ctypes.c_int64, ctypes.c_void_p)(address)
    out = (ctypes.c_float * lanes)()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        loop(ITERATIONS, ctypes.byref(out))
        best = min(best, time.perf_counter() - start)
    return ITERATIONS * ACCUMULATORS * lanes * 2 / best / 1e9
