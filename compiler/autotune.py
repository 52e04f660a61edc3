"""The autotuner (opt-in: `jit(model, autotune=True)`): times litho-gemm's tiles for each
matmul shape of a model, on this machine, and keeps the winners on disk.

Before the schedule stage, `tune_schedule` finds the shapes of the module's matmuls (the
batch, M, N, K and threads that litho-gemm gives each) that the tuning cache
(lowering/targets/cpu/gemm_tiles.py) does not have. For each, a matmul of that shape is
compiled through litho's levels with each candidate tile and timed; the winner goes to
the cache, which litho-gemm{autotune=true} reads. A shape is tuned once per machine:
later compiles, in this process or another, only read the file.

The search is coordinate descent from the model's tiles, one field group at a time: the
register tile (MR x NR, within the vector registers), then KC, MC and NC, each halved
and doubled. The candidates of a step are timed side by side, interleaved round by round
(runtime/timing.py), each by its fastest sample (noise on a shared machine only adds
time); a candidate replaces the incumbent only when it is at least `MIN_GAIN` faster, and
again in a second timing of the two alone, so that noise does not pick tiles. Each
candidate's result is checked against torch's before it is timed. A progress bar on
stderr counts the candidates.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator

import torch
from litho.compiler.entry import native_signature
from litho.compiler.errors import CompilationError
from litho.compiler.universe import all_passes, litho_context
from litho.lowering.targets.cpu.gemm_tiles import (
    GemmShape,
    GemmTiles,
    TuningCache,
    host_caches,
    model_tiles,
    vector_registers,
)
from litho.lowering.targets.cpu.litho_gemm import LithoGemmPass
from litho.lowering.targets.cpu.matmuls import prepare_matmul
from litho.lowering.targets.cpu.stages import cpu_stages
from litho.lowering.targets.cpu.translate_to_llvm import translate_module
from litho.runtime.compiled import NativeFunction
from litho.runtime.engine import JitEngine
from litho.runtime.timing import interleaved_samples
from tqdm import tqdm
from xdsl.dialects.builtin import ModuleOp
from xdsl.dialects.linalg import ops as linalg
from xdsl.parser import Parser
from xdsl.passes import PassPipeline

MIN_GAIN = 0.03
"""How much faster (a fraction of the incumbent's time) a candidate must be to win."""
ROUNDS = 7
SAMPLE_SECONDS = 0.01


def tune_schedule(stage: str, spec: str, module: ModuleOp) -> None:
    """Before the stage that runs litho-gemm{autotune=true} (in `spec`), tune the shapes
    of `module`'s matmuls that the cache lacks."""
    gemm = _gemm_pass(spec)
    if gemm is None or not gemm.autotune:
        return
    cache = TuningCache.load()
    shapes = sorted({shape for shape in matmul_shapes(module, gemm) if cache.get(shape) is None},
                    key=lambda shape: (shape.batch * shape.m * shape.n * shape.k, shape.key()))
    if not shapes:
        return
    start = gemm.tiles()
    with tqdm(desc=f"litho autotune ({stage})", unit="candidate", leave=False) as progress:
        for shape in shapes:
            progress.set_postfix_str(f"{shape.batch}x{shape.m}x{shape.n}x{shape.k}")
            cache.put(shape, GemmTuner(shape, spec, progress).tune(start))


def _gemm_pass(spec: str) -> LithoGemmPass | None:
    for compiler_pass in PassPipeline.parse_spec(all_passes(), spec).passes:
        if isinstance(compiler_pass, LithoGemmPass):
            return compiler_pass
    return None


def matmul_shapes(module: ModuleOp, gemm: LithoGemmPass) -> set[GemmShape]:
    """The shapes that `gemm` gives the matmuls of the L3 `module` (read on a copy:
    reading a matmul packs the operands it cannot read as they are)."""
    copy = module.clone()
    generics = [op for op in copy.walk() if isinstance(op, linalg.GenericOp)]
    return {gemm.shape(matmul) for matmul in map(prepare_matmul, generics) if matmul}


class GemmTuner:
    """Times tiles for one matmul shape, each compiled through the stages whose last one
    is `spec` (the schedule stage, its litho-gemm given the candidate's tiles)."""

    def __init__(self, shape: GemmShape, spec: str, progress: tqdm):
        self.shape, self.spec, self.progress = shape, spec, progress
        batch = (shape.batch,) if shape.batch > 1 else ()
        generator = torch.Generator().manual_seed(0)
        self.a = torch.randn(*batch, shape.m, shape.k, generator=generator)
        self.b = torch.randn(*batch, shape.k, shape.n, generator=generator)
        self.expected = self.a @ self.b
        self.module = _buffered_matmul(self.a.shape, self.b.shape)

    def tune(self, start: GemmTiles) -> GemmTiles:
        best = start
        for neighbours in (self.register_tiles, self.depths, self.row_blocks,
                           self.column_blocks):
            best = self.fastest([best, *(tiles for tiles in neighbours(best) if tiles != best)])
        return best

    def fastest(self, candidates: list[GemmTiles]) -> GemmTiles:
        """The incumbent (the first candidate) unless another wins the timing of all of
        them and then a timing of those two alone."""
        candidates = list(dict.fromkeys(candidates))
        incumbent = candidates[0]
        if len(candidates) == 1:
            return incumbent
        calls = {tiles: self.compile(tiles) for tiles in candidates}
        best = self.winner(calls, incumbent)
        if best == incumbent:
            return incumbent
        return self.winner({incumbent: calls[incumbent], best: calls[best]}, incumbent)

    def winner(self, calls: dict[GemmTiles, Callable[[], object]], incumbent: GemmTiles
               ) -> GemmTiles:
        """The candidate of the fastest sample (noise only adds time) if it is `MIN_GAIN`
        faster than the incumbent's, else the incumbent."""
        samples = interleaved_samples({tiles.options(): call for tiles, call in calls.items()},
                                      ROUNDS, SAMPLE_SECONDS)
        fastest = {tiles: min(samples[tiles.options()]) for tiles in calls}
        best = min(fastest, key=fastest.__getitem__)
        return best if fastest[best] <= (1 - MIN_GAIN) * fastest[incumbent] else incumbent

    def compile(self, tiles: GemmTiles) -> Callable[[], object]:
        """The matmul compiled with `tiles`, checked against torch, as a call."""
        options = tiles.options(threads=self.shape.threads, min_parallel_work=0)
        spec = re.sub(r"litho-gemm(\{[^}]*\})?", f"litho-gemm{options}", self.spec)
        module = self.module.clone()
        _run_passes(module, spec)
        native = NativeFunction(JitEngine(str(translate_module(module))),
                                native_signature(module))
        (result,) = native([self.a, self.b])
        if not torch.allclose(result, self.expected, rtol=1e-4, atol=1e-3):
            raise CompilationError(
                f"litho-gemm with {options} computes a {self.shape} matmul wrongly "
                "(a litho bug; please report it)")
        self.progress.update(1)
        return lambda: native([self.a, self.b])

    def register_tiles(self, tiles: GemmTiles) -> Iterator[GemmTiles]:
        """Register tiles of 24 to 28 accumulators that leave a register for each vector
        of B and one for A (with 16 registers: 12), and for fewer rows than the tile's,
        a tile of those rows; each with the model's blocks."""
        registers = vector_registers()
        lanes_by_rows = [(6, 4), (8, 3), (12, 2), (14, 2)] if registers == 32 \
            else [(6, 2), (4, 3), (3, 4)]
        if self.shape.m < tiles.rows:
            lanes_by_rows.append((self.shape.m, min(8, (registers - 1) // (self.shape.m + 1))))
        for rows, lanes in lanes_by_rows:
            yield model_tiles(host_caches(), tiles.width, rows, lanes * tiles.width)

    def depths(self, tiles: GemmTiles) -> Iterator[GemmTiles]:
        """Halved and quartered (no deeper than the model's, which bounds the rounding
        error: see gemm_tiles.MAX_DEPTH)."""
        for depth in (tiles.depth // 2, tiles.depth // 4):
            if 16 <= depth < self.shape.k:
                yield dataclasses.replace(tiles, depth=depth)

    def row_blocks(self, tiles: GemmTiles) -> Iterator[GemmTiles]:
        for blocks in (tiles.row_block // tiles.rows // 2, tiles.row_block // tiles.rows * 2):
            if blocks >= 1 and blocks * tiles.rows < 2 * self.shape.m:
                yield dataclasses.replace(tiles, row_block=blocks * tiles.rows)

    def column_blocks(self, tiles: GemmTiles) -> Iterator[GemmTiles]:
        per_column = tiles.column_block // tiles.columns
        for blocks in (per_column // 2, per_column * 2):
            if blocks >= 1 and blocks * tiles.columns < 2 * self.shape.n:
                yield dataclasses.replace(tiles, column_block=blocks * tiles.columns)


def _buffered_matmul(a_shape: torch.Size, b_shape: torch.Size) -> ModuleOp:
    """`a @ b` at L3 (buffers), ready for the schedule stage."""
    def tensor(shape: torch.Size) -> str:
        return f"tensor<{'x'.join(map(str, shape))}xf32>"

    c_shape = (*a_shape[:-1], b_shape[-1])
    text = (f"func.func @matmul(%a: {tensor(a_shape)}, %b: {tensor(b_shape)}) -> "
            f"{tensor(c_shape)} {{\n"
            f"  %c = litho_tensor.matmul %a, %b : ({tensor(a_shape)}, {tensor(b_shape)}) -> "
            f"{tensor(c_shape)}\n"
            "  func.return %c : " + tensor(c_shape) + "\n}")
    module = Parser(litho_context(), text).parse_module()
    *early, _ = cpu_stages(pack_weights=False)
    for _, spec in early:
        _run_passes(module, spec)
    return module


def _run_passes(module: ModuleOp, spec: str) -> None:
    context = litho_context()
    for compiler_pass in PassPipeline.parse_spec(all_passes(), spec).passes:
        compiler_pass.apply(context, module)
