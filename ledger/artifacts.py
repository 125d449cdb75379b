"""The content-addressed artifact store beside the ledger (``<home>/artifacts/``).

Large outputs (survivor arrays, models, prediction pools) live here; events carry only an
:class:`ArtifactRef` (name, SHA256, size). A blob is stored at ``root/<sha[:2]>/<sha>``,
written to a temporary file, fsynced and renamed into place, so a crash never leaves a
half-written blob under its final name. Every read verifies size and SHA256.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

from .errors import ArtifactCorrupt, ArtifactMissing
from .events import ArtifactRef

__all__ = ["ArtifactStore"]

_CHUNK = 1 << 20


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class ArtifactStore:
    """Content-addressed blobs under ``root``: put bytes or a file, get an :class:`ArtifactRef`.

    ``name`` is a label carried in the reference; the address is the SHA256 alone, so the same
    bytes put twice under two names are stored once.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    # -- writing ----------------------------------------------------------------------------

    def put_bytes(self, name: str, data: bytes | bytearray | memoryview) -> ArtifactRef:
        """Store ``data``; return its reference (a no-op when the blob is already stored)."""
        digest = hashlib.sha256(data).hexdigest()
        size = memoryview(data).nbytes
        ref = ArtifactRef(name, digest, size)
        dest = self.path_of(ref)
        if not self._present(dest, size):
            self._install(dest, lambda out: out.write(data))
        return ref

    def put_file(self, name: str, path: str | os.PathLike[str]) -> ArtifactRef:
        """Store the file at ``path``, hashing while copying (never all in memory)."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".incoming-", dir=self.root)
        try:
            sha = hashlib.sha256()
            size = 0
            with open(path, "rb") as src, os.fdopen(fd, "wb") as out:
                while block := src.read(_CHUNK):
                    sha.update(block)
                    out.write(block)
                    size += len(block)
                out.flush()
                os.fsync(out.fileno())
            ref = ArtifactRef(name, sha.hexdigest(), size)
            dest = self.path_of(ref)
            if self._present(dest, size):
                os.unlink(tmp)
            else:
                self._rename_into_place(Path(tmp), dest)
            return ref
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def _present(self, dest: Path, size: int) -> bool:
        # A blob of the right size is taken as present (hashing it again on every put of a
        # large file would double the cost); reads verify it fully anyway. A wrong-size blob
        # is replaced by the good copy.
        try:
            return dest.stat().st_size == size
        except FileNotFoundError:
            return False

    def _install(self, dest: Path, write: Callable[[BinaryIO], object]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".incoming-", dir=self.root)
        try:
            with os.fdopen(fd, "wb") as out:
                write(out)
                out.flush()
                os.fsync(out.fileno())
            self._rename_into_place(Path(tmp), dest)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def _rename_into_place(self, tmp: Path, dest: Path) -> None:
        dest.parent.mkdir(parents=True, exist_ok=True)
        # Read-only: a blob is immutable by design; this keeps careless tools from editing it.
        os.chmod(tmp, 0o444)
        os.replace(tmp, dest)
        _sync_dir(dest.parent)

    # -- reading ----------------------------------------------------------------------------

    def path_of(self, ref: ArtifactRef | str) -> Path:
        """Where the blob of ``ref`` (or of a SHA256 hex string) is stored, present or not."""
        digest = ref.sha256 if isinstance(ref, ArtifactRef) else ref
        # Validates the digest (64 lowercase hex) so a hostile ledger cannot name a path.
        ArtifactRef("check", digest, 0)
        return self.root / digest[:2] / digest

    def read_bytes(self, ref: ArtifactRef) -> bytes:
        """The blob's bytes; raises ArtifactMissing, or ArtifactCorrupt on a size/hash mismatch."""
        path = self.path_of(ref)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ArtifactMissing(f"artifact {ref.name!r} ({ref.sha256}) is not in {self.root}")
        if len(data) != ref.bytes:
            raise ArtifactCorrupt(
                f"artifact {ref.name!r} ({ref.sha256}) has {len(data)} bytes, expected {ref.bytes}"
            )
        if hashlib.sha256(data).hexdigest() != ref.sha256:
            raise ArtifactCorrupt(f"artifact {ref.name!r} ({ref.sha256}): SHA256 mismatch")
        return data

    def verify(self, ref: ArtifactRef) -> None:
        """Check the stored blob against ``ref`` without loading it whole; raise if it fails."""
        path = self.path_of(ref)
        try:
            fh = open(path, "rb")
        except FileNotFoundError:
            raise ArtifactMissing(f"artifact {ref.name!r} ({ref.sha256}) is not in {self.root}")
        sha = hashlib.sha256()
        size = 0
        with fh:
            while block := fh.read(_CHUNK):
                sha.update(block)
                size += len(block)
        if size != ref.bytes:
            raise ArtifactCorrupt(
                f"artifact {ref.name!r} ({ref.sha256}) has {size} bytes, expected {ref.bytes}"
            )
        if sha.hexdigest() != ref.sha256:
            raise ArtifactCorrupt(f"artifact {ref.name!r} ({ref.sha256}): SHA256 mismatch")

    def __contains__(self, sha256: object) -> bool:
        """Whether a blob with this SHA256 (hex string or ArtifactRef) is stored."""
        if isinstance(sha256, ArtifactRef):
            sha256 = sha256.sha256
        if not isinstance(sha256, str):
            return False
        try:
            return self.path_of(sha256).is_file()
        except ValueError:
            return False
