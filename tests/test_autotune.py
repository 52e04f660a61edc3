"""litho-gemm's tiles: the cache model, the tuning cache on disk, and the autotuner that
`jit(model, autotune=True)` runs (compiler/autotune.py)."""

import json

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from litho.compiler import jit
from litho.compiler.autotune import GemmTuner, _buffered_matmul, _run_passes, matmul_shapes
from litho.compiler.errors import LithoError
from litho.lowering.targets.cpu.gemm_tiles import (
    MAX_DEPTH,
    CacheHierarchy,
    GemmShape,
    GemmTiles,
    TuningCache,
    host_caches,
    model_tiles,
)
from litho.lowering.targets.cpu.litho_gemm import LithoGemmPass


@pytest.fixture(autouse=True)
def cache_folder(tmp_path, monkeypatch):
    """Every test's tuning cache in its own folder, never the user's."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("LITHO_CACHE_DIR", str(folder))
    return folder


def write_cache_level(folder, name, kind, level, size, shared):
    index = folder / name
    index.mkdir(parents=True)
    for file, text in {"type": kind, "level": str(level), "size": size,
                       "shared_cpu_list": shared}.items():
        (index / file).write_text(text + "\n")


def test_host_caches_reads_sysfs_and_divides_the_l3_among_its_cpus(tmp_path):
    write_cache_level(tmp_path, "index0", "Data", 1, "48K", "0,8")
    write_cache_level(tmp_path, "index1", "Instruction", 1, "32K", "0,8")
    write_cache_level(tmp_path, "index2", "Unified", 2, "1024K", "0,8")
    write_cache_level(tmp_path, "index3", "Unified", 3, "32768K", "0-3,8-11")
    assert host_caches(tmp_path) == CacheHierarchy(48 << 10, 1 << 20, 4 << 20)


def test_host_caches_falls_back_to_defaults_where_sysfs_says_nothing(tmp_path):
    write_cache_level(tmp_path, "index0", "Data", 1, "garbled", "0")
    assert host_caches(tmp_path / "missing") == CacheHierarchy()
    assert host_caches(tmp_path) == CacheHierarchy()


def test_the_model_gives_the_measured_tiles_for_a_zen4_core():
    assert model_tiles(CacheHierarchy(), 16, 6, 64) == GemmTiles()


@given(l2=st.integers(16 << 10, 64 << 20), l3=st.integers(0, 1 << 30),
       width=st.sampled_from([4, 8, 16]), rows=st.integers(1, 14), lanes=st.integers(1, 8))
def test_the_model_gives_valid_tiles_whose_b_panel_fits_in_l2(l2, l3, width, rows, lanes):
    tiles = model_tiles(CacheHierarchy(32 << 10, l2, l3), width, rows, lanes * width)
    assert 16 <= tiles.depth <= MAX_DEPTH
    assert tiles.row_block % rows == 0 and tiles.column_block % tiles.columns == 0
    if l2 >= 16 * 16 * tiles.columns * 4:
        assert tiles.depth * tiles.columns * 4 <= l2 // 16


def test_tiles_that_cannot_be_emitted_are_a_litho_error():
    with pytest.raises(LithoError, match="columns a multiple of width"):
        GemmTiles(width=16, columns=40)
    with pytest.raises(LithoError, match="every size must be positive"):
        GemmTiles(depth=0)


SHAPE = GemmShape(batch=1, m=128, n=768, k=256, threads=2)
TUNED = GemmTiles(rows=8, columns=48, column_block=480)


def test_the_tuning_cache_round_trips_and_keeps_what_another_process_wrote(cache_folder):
    assert TuningCache.load().get(SHAPE) is None
    ours, theirs = TuningCache.load(), TuningCache.load()
    other = GemmShape(batch=4, m=128, n=64, k=128, threads=2)
    theirs.put(other, GemmTiles())
    ours.put(SHAPE, TUNED)
    loaded = TuningCache.load()
    assert loaded.get(SHAPE) == TUNED and loaded.get(other) == GemmTiles()
    assert [path.name for path in cache_folder.iterdir()] == [loaded.path.name]


@pytest.mark.parametrize("text", ["{not json", '{"a": {"rows": 0}}', '["a"]', '{"a": 3}'])
def test_a_tuning_cache_that_cannot_be_read_counts_as_empty(cache_folder, text):
    TuningCache.load().put(SHAPE, TUNED)
    TuningCache.load().path.write_text(text)
    assert TuningCache.load().tiles == {}


def test_a_tuning_cache_that_cannot_be_written_is_a_litho_error_naming_the_variable(
        cache_folder):
    cache_folder.write_text("a file where the folder should be")
    with pytest.raises(LithoError, match=r"cannot write the autotuner's cache .*LITHO_CACHE_DIR"):
        TuningCache.load().put(SHAPE, TUNED)


def test_litho_gemm_with_autotune_takes_the_cached_tiles_for_its_shape():
    module = _buffered_matmul(torch.Size([40, 32]), torch.Size([32, 48]))
    (shape,) = matmul_shapes(module, LithoGemmPass(min_parallel_work=0))
    assert (shape.m, shape.n, shape.k) == (40, 48, 32)
    tuned = GemmTiles(width=16, rows=4, columns=32, depth=16, row_block=8, column_block=32)
    TuningCache.load().put(shape, tuned)

    def lowered(tiles, autotune=False):
        copy = module.clone()
        extra = {"autotune": "true"} if autotune else {}
        _run_passes(copy, "litho-gemm" + tiles.options(min_parallel_work=0, **extra))
        return str(copy)

    assert lowered(GemmTiles(), autotune=True) == lowered(tuned)
    assert lowered(tuned) != lowered(GemmTiles())
    assert lowered(GemmTiles()) == lowered(GemmTiles(), autotune=False)


def test_jit_autotune_tunes_each_shape_once_per_machine_and_matches_eager(
        cache_folder, capsys, monkeypatch):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(16, 24), torch.nn.GELU(),
                                torch.nn.Linear(24, 8)).eval()
    x = torch.randn(20, 16)
    torch.testing.assert_close(jit(model, autotune=True)(x), model(x), rtol=1e-4, atol=1e-5)
    assert "litho autotune" in capsys.readouterr().err
    (path,) = cache_folder.iterdir()
    shapes = set(json.loads(path.read_text()))
    assert {"batch1-m20-n24-k16-threads1", "batch1-m20-n8-k24-threads1"} <= shapes

    def no_tuning(*args):
        raise AssertionError("a cached shape was tuned again")

    monkeypatch.setattr(GemmTuner, "tune", no_tuning)
    torch.testing.assert_close(jit(model, autotune=True)(x), model(x), rtol=1e-4, atol=1e-5)
    assert "litho autotune" not in capsys.readouterr().err
