"""Reading the known-answer files of ``tests/vectors/`` (format in its README)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

VECTORS = Path(__file__).resolve().parents[1] / "vectors"

__all__ = ["VECTORS", "VectorFile", "load_vector_files"]


@dataclass(frozen=True)
class VectorFile:
    path: Path
    generator: str
    seed: int
    stream: str
    source: str
    values: tuple[int, ...]
    #: raw outputs discarded before the first value and between values (observation model)
    offset: int = 0
    skip: int = 0

    @property
    def id(self) -> str:
        return f"{self.generator}/{self.path.name}"


def read_vector_text(path: Path) -> tuple[dict[str, str], list[int]]:
    """A known-answer file's ``# key: value`` header and its values, one per line."""
    header: dict[str, str] = {}
    values: list[int] = []
    for line in path.read_text().splitlines():
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            header[key.strip()] = value.strip()
        elif line.strip() and line.strip() != "value":
            values.append(int(line))
    return header, values


def _read(path: Path) -> VectorFile:
    header, values = read_vector_text(path)
    missing = {"generator", "seed", "stream", "source", "made by"} - header.keys()
    if missing:
        raise AssertionError(f"{path}: header lacks {sorted(missing)}")
    return VectorFile(path, header["generator"], int(header["seed"], 0), header["stream"],
                      header["source"], tuple(values), int(header.get("offset", "0")),
                      int(header.get("skip", "0")))


def load_vector_files() -> list[VectorFile]:
    return [_read(path) for path in sorted(VECTORS.glob("*/*.csv"))]
