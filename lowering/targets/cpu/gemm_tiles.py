"""litho-gemm's tile sizes: the register tile from the vector registers, the cache blocks
from a model of this CPU's cache hierarchy, and the winners of the autotuner, per matmul
shape, kept on disk.

```python
tiles = host_tiles()                                     # the model, for this CPU
cache = TuningCache.load()                               # $LITHO_CACHE_DIR or ~/.cache/litho
tiles = cache.get(GemmShape(batch=1, m=128, n=768, k=3072, threads=2)) or tiles
```

The model. The microkernel reads B where it lies (a KC x NR panel whose rows are a row of
B apart) and A a scalar at a time, so the blocks are sized for L2 and L3, not for L1:
- the KC x NR panel of B, reused by every row tile of a block, fills 1/16 of L2; KC is
  at most 256 because a block's sum of KC products is where the rounding error grows
  (see litho_gemm.py);
- the MC x KC block of A fills 3/32 of L2;
- the KC x NC block of B fills 1/32 of this core's share of L3.
The fractions are what a sweep on a Zen 4 core (1 MiB L2, 16 MiB of L3 per core) found
best, or as good as any: KC 256, MC 96, NC 512; the model carries them to other caches.
The autotuner (compiler/autotune.py) times candidates around them for one shape.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import llvmlite.binding as llvm
from litho.compiler.errors import CompilationError

CACHE_FOLDER_VARIABLE = "LITHO_CACHE_DIR"
FLOAT_BYTES = 4
MAX_DEPTH = 256


@dataclass(frozen=True)
class GemmTiles:
    """The register tile (MR `rows` by NR `columns`, NR a multiple of the vector `width`
    W) and the cache blocks (`depth` KC steps of k, `row_block` MC rows of A,
    `column_block` NC columns of B).

    The defaults are for AVX-512's 32 registers of 16 floats (24 accumulators, 4 vectors
    of B and one broadcast of A) and the model's blocks for a Zen 4 core.
    """

    width: int = 16
    rows: int = 6
    columns: int = 64
    depth: int = 256
    row_block: int = 96
    column_block: int = 512

    def __post_init__(self) -> None:
        if min(asdict(self).values()) < 1 or self.columns % self.width \
                or self.row_block % self.rows or self.column_block % self.columns:
            raise CompilationError(
                f"GEMM tiles {self}: every size must be positive, columns a multiple of "
                "width, row_block of rows and column_block of columns")

    def options(self, **others: object) -> str:
        """These tiles as litho-gemm's options, `{vector_width=16 rows=6 ...}`, followed
        by `others` (`threads=2`)."""
        values = {"vector_width" if name == "width" else name: value
                  for name, value in asdict(self).items()}
        values.update(others)
        return "{" + " ".join(f"{name}={value}" for name, value in values.items()) + "}"


@dataclass(frozen=True)
class CacheHierarchy:
    """The bytes of cache one core has: its L1 data cache, its L2 and its share of L3."""

    l1: int = 32 << 10
    l2: int = 1 << 20
    l3: int = 16 << 20


def host_caches(sysfs: Path = Path("/sys/devices/system/cpu/cpu0/cache")) -> CacheHierarchy:
    """This CPU's caches as Linux describes them (an L3 divided among the CPUs that share
    it); where it does not, `CacheHierarchy`'s defaults."""
    sizes: dict[int, int] = {}
    for index in sorted(sysfs.glob("index*")):
        try:
            if (index / "type").read_text().strip() == "Instruction":
                continue
            level = int((index / "level").read_text())
            size = _bytes((index / "size").read_text().strip())
            sharing = _cpu_count((index / "shared_cpu_list").read_text().strip())
        except (OSError, ValueError):
            continue
        sizes[level] = size // (sharing if level == 3 else 1)
    default = CacheHierarchy()
    return CacheHierarchy(sizes.get(1, default.l1), sizes.get(2, default.l2),
                          sizes.get(3, default.l3))


def _bytes(size: str) -> int:
    """'48K' -> 49152, as sysfs writes cache sizes."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(size[:-1]) * units[size[-1]] if size[-1] in units else int(size)


def _cpu_count(cpu_list: str) -> int:
    """'0-3,8' -> 5."""
    count = 0
    for part in cpu_list.split(","):
        first, _, last = part.partition("-")
        count += int(last or first) - int(first) + 1
    return count


def vector_width() -> int:
    """Floats per vector register of this CPU: 16 with AVX-512, 8 with AVX2, else 4."""
    features = llvm.get_host_cpu_features()
    return 16 if features.get("avx512f") else 8 if features.get("avx2") else 4


def vector_registers() -> int:
    """Vector registers of this CPU: 32 with AVX-512, else 16."""
    return 32 if vector_width() == 16 else 16


def host_tiles() -> GemmTiles:
    """The model's tiles for this CPU: 6 rows of 4 vectors (24 accumulators) with 32
    vector registers, 6 rows of 2 with 16, and the model's blocks for its caches."""
    width = vector_width()
    return model_tiles(host_caches(), width, 6, width * (4 if vector_registers() == 32 else 2))


def model_tiles(caches: CacheHierarchy, width: int, rows: int, columns: int) -> GemmTiles:
    """The cache blocks of the model (see the module's docstring) around a register tile
    of `rows` x `columns` floats."""
    depth = max(16, min(MAX_DEPTH, _round_down(caches.l2 // 16 // (columns * FLOAT_BYTES), 16)))
    row_block = max(rows, _round_down(caches.l2 * 3 // 32 // (depth * FLOAT_BYTES), rows))
    column_block = max(columns, _round_down(caches.l3 // 32 // (depth * FLOAT_BYTES), columns))
    return GemmTiles(width, rows, columns, depth, row_block, column_block)


def _round_down(value: int, multiple: int) -> int:
    return value // multiple * multiple


@dataclass(frozen=True)
class GemmShape:
    """What a tuned tile is for: a matmul's batch (the product of its batch extents), M,
    N and K, and the threads it runs on."""

    batch: int
    m: int
    n: int
    k: int
    threads: int

    def key(self) -> str:
        return "-".join(f"{field.name}{getattr(self, field.name)}" for field in fields(self))


def host_name() -> str:
    """What a tuned tile was measured on: the CPU model and its vector width."""
    return f"{llvm.get_host_cpu_name()}-w{vector_width()}"


def cache_folder() -> Path:
    """$LITHO_CACHE_DIR, else $XDG_CACHE_HOME/litho, else ~/.cache/litho."""
    if os.environ.get(CACHE_FOLDER_VARIABLE):
        return Path(os.environ[CACHE_FOLDER_VARIABLE])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "litho"


@dataclass
class TuningCache:
    """The autotuner's winners for this host, by shape, in one JSON file per host (a
    file that cannot be read counts as empty)."""

    path: Path
    tiles: dict[str, GemmTiles]

    @classmethod
    def load(cls, folder: Path | None = None) -> TuningCache:
        path = (folder or cache_folder()) / f"gemm-tiles-{host_name()}.json"
        try:
            entries = json.loads(path.read_text())
            tiles = {key: GemmTiles(**value) for key, value in entries.items()}
        except (OSError, ValueError, TypeError, AttributeError, CompilationError):
            tiles = {}
        return cls(path, tiles)

    def get(self, shape: GemmShape) -> GemmTiles | None:
        return self.tiles.get(shape.key())

    def put(self, shape: GemmShape, tiles: GemmTiles) -> None:
        """Record `tiles` for `shape` and write the file (the entries another process
        wrote meanwhile kept), through a temporary file renamed into place."""
        self.tiles = {**TuningCache.load(self.path.parent).tiles, **self.tiles,
                      shape.key(): tiles}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(
                {key: asdict(value) for key, value in sorted(self.tiles.items())}, indent=1))
            temporary.replace(self.path)
        except OSError as error:
            raise CompilationError(
                f"cannot write the autotuner's cache {self.path} ({error.strerror or error}): "
                f"set ${CACHE_FOLDER_VARIABLE} to a writable folder") from None
