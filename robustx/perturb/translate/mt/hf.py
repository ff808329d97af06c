"""Hugging Face seq2seq MT (Marian, NLLB, M2M100, ...): for users with the weights or a connection.

``model`` is a hub id or a local folder; ``{src}`` and ``{tgt}`` in it are replaced by
the pair's codes (``Helsinki-NLP/opus-mt-{src}-{tgt}``), so per-pair Marian models
form one backend. Multilingual models get their language codes the way their
tokenizers expect: NLLB FLORES-200 codes (``deu_Latn``) through ``src_lang`` and the
forced first token, M2M100 ISO codes through ``src_lang`` and ``get_lang_id``.
Decoding is greedy (deterministic), 16 texts a batch, at most 256 new tokens (fewer
where the model has fewer positions), on the
CPU unless ``ROBUSTX_MT_DEVICE`` names another torch device. Models load once per process.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any, Sequence

from robustx.errors import RobustxError, first_line
from robustx.perturb.translate.mt import MTBackend

BATCH = 16
MAX_NEW_TOKENS = 256
DEVICE_ENV = "ROBUSTX_MT_DEVICE"
# FLORES-200 codes of the XTREME languages (and Apertium's pivots), for NLLB.
FLORES = {
    "af": "afr_Latn", "ar": "arb_Arab", "bg": "bul_Cyrl", "bn": "ben_Beng", "ca": "cat_Latn", "de": "deu_Latn",
    "el": "ell_Grek", "en": "eng_Latn", "es": "spa_Latn", "et": "est_Latn", "eu": "eus_Latn", "fa": "pes_Arab",
    "fi": "fin_Latn", "fr": "fra_Latn", "gl": "glg_Latn", "he": "heb_Hebr", "hi": "hin_Deva", "hu": "hun_Latn",
    "id": "ind_Latn", "it": "ita_Latn", "ja": "jpn_Jpan", "jv": "jav_Latn", "ka": "kat_Geor", "kk": "kaz_Cyrl",
    "ko": "kor_Hang", "ml": "mal_Mlym", "mr": "mar_Deva", "ms": "zsm_Latn", "my": "mya_Mymr", "nl": "nld_Latn",
    "pt": "por_Latn", "ru": "rus_Cyrl", "sw": "swh_Latn", "ta": "tam_Taml", "te": "tel_Telu", "th": "tha_Thai",
    "tl": "tgl_Latn", "tr": "tur_Latn", "ur": "urd_Arab", "vi": "vie_Latn", "yo": "yor_Latn", "zh": "zho_Hans",
}  # fmt: skip


@lru_cache(maxsize=4)
def _load(name: str) -> tuple[Any, Any]:
    try:
        import torch  # noqa: F401
        import transformers
    except ImportError:
        raise RobustxError("MT backend 'hf' needs transformers and torch: pip install transformers torch") from None
    transformers.logging.set_verbosity_error()  # weight-loading bars and notes are noise here
    transformers.logging.disable_progress_bar()
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(name)
        model = transformers.AutoModelForSeq2SeqLM.from_pretrained(name)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise RobustxError(f"MT backend 'hf': cannot load model {name!r} (a hub id needs a connection or a cached "
                           f"copy; a folder needs config, weights and tokenizer): {first_line(exc)}") from None
    model.to(os.environ.get(DEVICE_ENV, "cpu")).eval()
    return tokenizer, model


class HFSeq2Seq(MTBackend):
    name = "hf"

    def __init__(self, model: str = "") -> None:
        if not model:
            raise RobustxError("MT backend 'hf' needs params.model: a hub id or folder of a seq2seq model "
                               "('{src}'/'{tgt}' are filled per pair, e.g. Helsinki-NLP/opus-mt-{src}-{tgt})")
        super().__init__(model)

    def translate_direct(self, texts: Sequence[str], src: str, tgt: str) -> list[str]:
        import torch

        tokenizer, model = _load(self.model.format(src=src, tgt=tgt))
        extra: dict[str, Any] = {}
        kind = type(tokenizer).__name__
        if kind.startswith("Nllb"):
            if src not in FLORES or tgt not in FLORES:
                raise RobustxError(f"MT backend 'hf': no FLORES-200 code for {src if src not in FLORES else tgt}")
            tokenizer.src_lang = FLORES[src]
            extra["forced_bos_token_id"] = tokenizer.convert_tokens_to_ids(FLORES[tgt])
        elif kind.startswith("M2M100"):
            tokenizer.src_lang = src
            extra["forced_bos_token_id"] = tokenizer.get_lang_id(tgt)
        # Models with learned positions cannot decode past them (tiny test models have few).
        limit = min(MAX_NEW_TOKENS, (getattr(model.config, "max_position_embeddings", None) or 1 << 30) - 2)
        out: list[str] = []
        with torch.no_grad():
            for i in range(0, len(texts), BATCH):
                batch = tokenizer(list(texts[i : i + BATCH]), return_tensors="pt", padding=True, truncation=True)
                batch = {k: v.to(model.device) for k, v in batch.items() if k in ("input_ids", "attention_mask")}
                generated = model.generate(**batch, **extra, num_beams=1, do_sample=False, max_new_tokens=limit)
                out.extend(t.strip() for t in tokenizer.batch_decode(generated, skip_special_tokens=True))
        return out
