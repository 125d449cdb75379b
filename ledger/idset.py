"""The writer's set of stored event ids, in 16 bytes an id whatever the ids' length.

Idempotent appends ask, for every event, whether its id is stored already; the writer keeps
the answer for the whole ledger in memory. A Python set of the id strings costs about 150
bytes an event (a million events: 150 MB). :class:`EventIdSet` keeps the newest ids as
strings (:data:`RECENT` of them, where retries land) and the rest as sorted arrays of their
128-bit BLAKE2b digests, merged like a binary counter (at most log2(n) arrays, each searched
by bisection). Two different ids share a digest with probability about n^2 / 2^129: for a
billion events, about 1e-21; an id taken for stored by that chance would be dropped, which is
the only way this set can be wrong.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np

__all__ = ["EventIdSet", "RECENT", "DIGEST_BYTES"]

#: Ids kept as strings before they are frozen into a digest array.
RECENT = 4096
DIGEST_BYTES = 16
_DTYPE = f"S{DIGEST_BYTES}"


def _digest(event_id: str) -> bytes:
    return hashlib.blake2b(
        event_id.encode("utf-8", "surrogatepass"), digest_size=DIGEST_BYTES
    ).digest()


class EventIdSet:
    """A set of event ids: ``add``, ``update``, ``in``, ``len``."""

    __slots__ = ("_recent", "_levels", "_frozen")

    def __init__(self, ids: Iterable[str] = ()) -> None:
        self._recent: set[str] = set()
        # sorted digest arrays, larger first; a new one merges with the previous while that
        # one is at most twice its size
        self._levels: list[np.ndarray] = []
        self._frozen = 0
        self.update(ids)

    def add(self, event_id: str) -> None:
        self._recent.add(event_id)
        if len(self._recent) >= RECENT:
            self._freeze()

    def update(self, ids: Iterable[str]) -> None:
        for event_id in ids:
            self.add(event_id)

    def __contains__(self, event_id: object) -> bool:
        if not isinstance(event_id, str):
            return False
        if event_id in self._recent:
            return True
        if not self._levels:
            return False
        key = np.array(_digest(event_id), dtype=_DTYPE)
        for level in self._levels:
            at = int(np.searchsorted(level, key))
            if at < len(level) and level[at] == key:
                return True
        return False

    def __len__(self) -> int:
        return self._frozen + len(self._recent)

    @property
    def nbytes(self) -> int:
        """Bytes held by the digest arrays (the recent strings not counted)."""
        return sum(level.nbytes for level in self._levels)

    def digest_levels(self) -> list[bytes]:
        """Every id as sorted digest arrays' raw bytes (the recent ids as one more), for a
        checkpoint (``ledger.checkpoint``); :meth:`from_digest_levels` builds the set again."""
        out = [level.tobytes() for level in self._levels]
        if self._recent:
            out.append(np.array(sorted(map(_digest, self._recent)), dtype=_DTYPE).tobytes())
        return out

    @classmethod
    def from_digest_levels(cls, levels: Iterable[bytes | memoryview]) -> EventIdSet:
        """The set :meth:`digest_levels` described; ``ValueError`` unless every level is a
        whole number of strictly increasing digests (bisection needs them sorted). The
        levels' buffers are used in place, not copied."""
        ids = cls()
        for raw in levels:
            if len(raw) % DIGEST_BYTES:
                raise ValueError("a digest level is not a whole number of digests")
            level = np.frombuffer(raw, dtype=_DTYPE)
            if len(level) > 1 and not bool(np.all(level[:-1] < level[1:])):
                raise ValueError("a digest level is not sorted")
            if len(level):
                ids._push(level)
        return ids

    def _freeze(self) -> None:
        fresh = np.array(sorted(map(_digest, self._recent)), dtype=_DTYPE)
        self._recent.clear()
        self._push(fresh)

    def _push(self, fresh: np.ndarray) -> None:
        self._frozen += len(fresh)
        levels = self._levels
        levels.append(fresh)
        while len(levels) >= 2 and len(levels[-2]) <= 2 * len(levels[-1]):
            top = levels.pop()
            levels[-1] = np.sort(np.concatenate((levels[-1], top)), kind="stable")
