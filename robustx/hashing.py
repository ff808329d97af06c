"""Stable hashes: the same inputs give the same digest in any process or machine.

Python's ``hash()`` is salted per process (PYTHONHASHSEED), so every seed, cache
key and shard id is derived from SHA-256 over canonical JSON instead.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any, Iterable


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace: one spelling per value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def stable_digest(*parts: Any, length: int = 16) -> str:
    """Hex digest of the canonical JSON of ``parts``."""
    return hashlib.sha256(canonical_json(parts).encode("utf-8")).hexdigest()[:length]


def stable_seed(*parts: Any) -> int:
    """A 64-bit integer seed derived from ``parts`` (e.g. seed, recipe, params, example id)."""
    return int(hashlib.sha256(canonical_json(parts).encode("utf-8")).hexdigest()[:16], 16)


class SeedPrefix:
    """``stable_seed(*prefix, *rest)`` for many ``rest``, with the constant ``prefix`` hashed once.

    Canonical JSON of a tuple is ``[`` + the items' JSON joined by ``,`` + ``]``, so hashing the
    prefix's part once and ``copy()``-ing the hash gives exactly ``stable_seed``'s digest.
    """

    def __init__(self, *prefix: Any) -> None:
        head = canonical_json(list(prefix))[:-1] + ("," if prefix else "")
        self._sha = hashlib.sha256(head.encode("utf-8"))

    def seed(self, *rest: Any) -> int:
        sha = self._sha.copy()
        # A string's canonical JSON is ``encode_basestring``'s (what ``json.dumps`` calls without
        # ensure_ascii), at a fifteenth of the cost: the ids and field names seeded per example.
        parts = (encode_basestring(part) if type(part) is str else canonical_json(part) for part in rest)
        sha.update((",".join(parts) + "]").encode("utf-8"))
        return int.from_bytes(sha.digest()[:8], "big")


def files_digest(paths: Iterable[Path]) -> str:
    """Digest of the files' names and contents, not their folders: the same data anywhere gives the same digest."""
    return stable_digest([(p.name, _cached_sha256(str(p), *_stat_key(p))) for p in paths])


def _stat_key(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


@lru_cache(maxsize=None)
def _cached_sha256(path: str, _size: int, _mtime_ns: int) -> str:
    return file_sha256(path)  # a rewritten file has a new (size, mtime) and is hashed again


def file_sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()
