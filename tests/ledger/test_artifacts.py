"""The content-addressed artifact store: round trips, dedupe, and corruption caught on read."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from ledger import ArtifactCorrupt, ArtifactMissing, ArtifactRef, ArtifactStore


@pytest.fixture
def store(tmp_path: Path) -> ArtifactStore:
    return ArtifactStore(tmp_path / "artifacts")


def test_put_bytes_round_trip(store: ArtifactStore) -> None:
    data = b"survivor array\x00\xff" * 100
    ref = store.put_bytes("survivors", data)
    digest = hashlib.sha256(data).hexdigest()
    assert ref == ArtifactRef("survivors", digest, len(data))
    assert store.path_of(ref) == store.root / digest[:2] / digest
    assert store.read_bytes(ref) == data
    store.verify(ref)
    assert digest in store and ref in store
    assert "0" * 64 not in store and "not-hex" not in store and 5 not in store
    # no temporary files left behind
    assert [p.name for p in store.root.iterdir()] == [digest[:2]]


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=5000))
def test_any_bytes_round_trip(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    store = ArtifactStore(tmp_path_factory.mktemp("artifacts"))
    ref = store.put_bytes("blob", data)
    assert store.read_bytes(ref) == data
    assert ref.bytes == len(data)


def test_put_file_streams(store: ArtifactStore, tmp_path: Path) -> None:
    src = tmp_path / "model.bin"
    data = os.urandom(3 * (1 << 20) + 17)  # more than one copy chunk
    src.write_bytes(data)
    ref = store.put_file("model", src)
    assert ref.sha256 == hashlib.sha256(data).hexdigest() and ref.bytes == len(data)
    assert store.read_bytes(ref) == data
    # the same content again, under another name: stored once, same address
    again = store.put_file("model-copy", src)
    assert again.sha256 == ref.sha256 and again.name == "model-copy"
    assert store.put_bytes("as-bytes", data).sha256 == ref.sha256
    assert sorted(p.name for p in store.root.rglob("*") if p.is_file()) == [ref.sha256]


def test_blobs_are_read_only(store: ArtifactStore) -> None:
    ref = store.put_bytes("x", b"abc")
    assert store.path_of(ref).stat().st_mode & 0o222 == 0


def test_changed_byte_is_detected(store: ArtifactStore) -> None:
    ref = store.put_bytes("x", b"abcdef")
    path = store.path_of(ref)
    path.chmod(0o644)
    path.write_bytes(b"abcdeF")
    with pytest.raises(ArtifactCorrupt, match="SHA256"):
        store.read_bytes(ref)
    with pytest.raises(ArtifactCorrupt, match="SHA256"):
        store.verify(ref)


def test_truncation_is_detected_and_healed_by_put(store: ArtifactStore) -> None:
    ref = store.put_bytes("x", b"abcdef")
    path = store.path_of(ref)
    path.chmod(0o644)
    path.write_bytes(b"abc")
    with pytest.raises(ArtifactCorrupt, match="3 bytes, expected 6"):
        store.read_bytes(ref)
    with pytest.raises(ArtifactCorrupt, match="expected 6"):
        store.verify(ref)
    store.put_bytes("x", b"abcdef")  # a wrong-size blob is replaced by the good copy
    assert store.read_bytes(ref) == b"abcdef"


def test_missing_is_reported(store: ArtifactStore) -> None:
    ref = ArtifactRef("ghost", "ab" * 32, 3)
    with pytest.raises(ArtifactMissing):
        store.read_bytes(ref)
    with pytest.raises(ArtifactMissing):
        store.verify(ref)


def test_reference_cannot_escape_the_store(store: ArtifactStore) -> None:
    with pytest.raises(ValueError):
        store.path_of("../../etc/passwd")
    with pytest.raises(ValueError):
        ArtifactRef("x", "../" + "a" * 61, 1)
    with pytest.raises(ValueError):
        ArtifactRef("x", "A" * 64, 1)  # uppercase hex is not the canonical spelling
    with pytest.raises(ValueError):
        ArtifactRef("x", "a" * 64, -1)
    with pytest.raises(ValueError):
        ArtifactRef("", "a" * 64, 1)
