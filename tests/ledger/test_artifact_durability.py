"""The artifact store under crashes and bit rot: new shards are durable, a damaged blob is
never kept silently, and a crash's temporary files do not pile up."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

import ledger.artifacts as artifacts_module
from ledger import ArtifactStore


def test_a_new_shard_and_its_entry_in_the_root_are_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[Path] = []
    real = artifacts_module._sync_dir

    def counting(path: Path) -> None:
        synced.append(Path(path))
        real(path)

    monkeypatch.setattr(artifacts_module, "_sync_dir", counting)
    store = ArtifactStore(tmp_path / "artifacts")
    ref = store.put_bytes("x", b"hello")
    shard = store.path_of(ref).parent
    assert shard in synced and store.root in synced


def test_a_damaged_blob_of_the_right_size_is_replaced_loudly(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path / "artifacts")
    ref = store.put_bytes("x", b"hello world")
    path = store.path_of(ref)
    os.chmod(path, 0o644)
    path.write_bytes(b"HELLO WORLD")  # bit rot, same size
    again = store.put_bytes("x", b"hello world")
    assert store.read_bytes(again) == b"hello world"
    assert store.repairs and store.repairs[0].sha256 == ref.sha256
    (kept,) = list((store.root / "damaged").iterdir())
    assert kept.read_bytes() == b"HELLO WORLD"  # the evidence is kept, not overwritten
    src = tmp_path / "src.bin"
    src.write_bytes(b"other bytes")
    ref2 = store.put_file("y", src)
    p2 = store.path_of(ref2)
    os.chmod(p2, 0o644)
    p2.write_bytes(b"OTHER BYTES")
    store.put_file("y", src)
    assert hashlib.sha256(p2.read_bytes()).hexdigest() == ref2.sha256
    assert len(store.repairs) == 2


def test_temporary_files_left_by_a_crash_are_removed(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path / "artifacts")
    store.put_bytes("x", b"a")
    leftover = store.root / ".incoming-abc123"
    leftover.write_bytes(b"half a blob")
    assert store.remove_leftovers() == 1
    assert not leftover.exists()
    assert store.read_bytes(store.put_bytes("x", b"a")) == b"a"
