"""The content-addressed artifact store beside the ledger (``<home>/artifacts/``).

Large outputs (survivor arrays, models, prediction pools) live here; events carry only an
:class:`ArtifactRef` (name, SHA256, size). A blob is stored at ``root/<sha[:2]>/<sha>``,
written to a temporary file, fsynced and renamed into place, so a crash never leaves a
half-written blob under its final name; the shard folder (and, when the shard is new, the
root) is fsynced after the rename, so the name survives a power loss too. Every read verifies
size and SHA256. A stored blob found damaged when the same bytes are put again is moved to
``root/damaged/`` (kept as evidence, listed in :attr:`ArtifactStore.repairs`) and replaced by
the good copy, never kept silently. :meth:`ArtifactStore.remove_leftovers` deletes the
temporary files of writes a crash cut short (the single writer calls it when it opens).
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
_TEMP_PREFIX = ".incoming-"


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
        #: Damaged blobs replaced by a good copy in this process (moved to ``root/damaged/``).
        self.repairs: list[ArtifactRef] = []

    def remove_leftovers(self) -> int:
        """Delete temporary files left by writes a crash cut short; returns how many.

        Only safe while no other process writes to this store (the ledger's writer, holding
        its lock, calls it when it opens).
        """
        removed = 0
        try:
            names = os.listdir(self.root)
        except FileNotFoundError:
            return 0
        for name in names:
            if name.startswith(_TEMP_PREFIX):
                os.unlink(self.root / name)
                removed += 1
        if removed:
            _sync_dir(self.root)
        return removed

    # -- writing ----------------------------------------------------------------------------

    def put_bytes(self, name: str, data: bytes | bytearray | memoryview) -> ArtifactRef:
        """Store ``data``; return its reference (a no-op when the blob is already stored)."""
        digest = hashlib.sha256(data).hexdigest()
        size = memoryview(data).nbytes
        ref = ArtifactRef(name, digest, size)
        dest = self.path_of(ref)
        if not self._present(ref, dest):
            self._install(dest, lambda out: out.write(data))
        return ref

    def put_file(self, name: str, path: str | os.PathLike[str]) -> ArtifactRef:
        """Store the file at ``path``, hashing while copying (never all in memory)."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=self.root)
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
            if self._present(ref, dest):
                os.unlink(tmp)
            else:
                self._rename_into_place(Path(tmp), dest)
            return ref
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def _present(self, ref: ArtifactRef, dest: Path) -> bool:
        """Whether a good copy of ``ref`` is stored. A copy of another size is replaced; one
        of the right size is hashed, and if damaged, moved aside (kept, and listed in
        :attr:`repairs`) to be replaced: a blob is never assumed good by its size."""
        try:
            if dest.stat().st_size != ref.bytes:
                return False
        except FileNotFoundError:
            return False
        try:
            self.verify(ref)
            return True
        except ArtifactCorrupt:
            damaged = self.root / "damaged"
            damaged.mkdir(exist_ok=True)
            n = 0
            while (damaged / f"{ref.sha256}.{n}").exists():
                n += 1
            os.rename(dest, damaged / f"{ref.sha256}.{n}")
            _sync_dir(damaged)
            _sync_dir(dest.parent)
            self.repairs.append(ref)
            return False

    def _install(self, dest: Path, write: Callable[[BinaryIO], object]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=self.root)
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
        new_shard = not dest.parent.is_dir()
        dest.parent.mkdir(parents=True, exist_ok=True)
        # Read-only: a blob is immutable by design; this keeps careless tools from editing it.
        os.chmod(tmp, 0o444)
        os.replace(tmp, dest)
        _sync_dir(dest.parent)
        if new_shard:
            _sync_dir(self.root)  # the new shard's own entry

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
