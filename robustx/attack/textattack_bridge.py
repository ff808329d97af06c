"""TextAttack as a backend and a baseline (extra ``robustx[textattack]``, which pins transformers < 5).

- ``prepare_offline()``: ``import textattack`` reads NLTK's English stopwords at import time and
  fails offline; robustx ships that list (NLTK's 179 words, ``data/nltk_stopwords_english.txt``)
  and points ``NLTK_DATA`` at a folder holding it, so TextAttack imports without downloads.
- ``ModelWrapper``: a robustx checkpoint, loaded as a study loads it (labels mapped by name,
  the checkpoint's input prefix, length-sorted batches), as a TextAttack model: its recipes
  that run offline (DeepWordBug, Pruthi) attack robustx checkpoints.
- ``RobustxTransformation`` / ``RobustxConstraint``: robustx's candidates (any recipe, script-
  and grapheme-safe) and its constraints for TextAttack users' own attacks.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np

from robustx.errors import RobustxError, first_line

STOPWORDS = Path(__file__).parent / "data" / "nltk_stopwords_english.txt"


def _cache(folder: str | Path | None) -> Path:
    return Path(folder or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "robustx")


def prepare_offline(folder: str | Path | None = None) -> Path:
    """An NLTK data folder with ``corpora/stopwords/english`` (under ``folder``, default
    ``~/.cache/robustx``), put first on ``NLTK_DATA``; returns the folder."""
    root = _cache(folder) / "nltk_data"
    target = root / "corpora" / "stopwords" / "english"
    if not target.is_file() or target.read_bytes() != STOPWORDS.read_bytes():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(STOPWORDS.read_bytes())
    paths = [p for p in os.environ.get("NLTK_DATA", "").split(os.pathsep) if p]
    if str(root) not in paths:
        os.environ["NLTK_DATA"] = os.pathsep.join([str(root), *paths])
    return root


def textattack(folder: str | Path | None = None):
    """The textattack module, imported offline; a RobustxError naming the extra where it cannot be.

    Besides the stopwords, TextAttack runs ``nltk.download()`` (network) at its first import
    unless its post-install marker exists, and rewrites cache variables from ``TA_CACHE_DIR``:
    the marker goes into robustx's cache and the variables are restored after the import.
    """
    import importlib
    import sys

    if "textattack" in sys.modules:
        return sys.modules["textattack"]
    prepare_offline(folder)
    touched = ("TA_CACHE_DIR", "TFHUB_CACHE_DIR", "PYTORCH_TRANSFORMERS_CACHE", "HF_HOME", "XDG_CACHE_HOME")
    saved = {k: os.environ.get(k) for k in touched}
    if "TA_CACHE_DIR" not in os.environ:
        marker = _cache(folder) / "textattack" / "post_install_check_3"
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
        os.environ["TA_CACHE_DIR"] = str(marker.parent)
    try:
        return importlib.import_module("textattack")
    except Exception as exc:  # noqa: BLE001 - ImportError, or flair's under transformers 5, or NLTK's LookupError
        raise RobustxError(f"TextAttack is not usable here ({type(exc).__name__}: {first_line(exc)}): "
                           "pip install 'robustx[textattack]' (it needs transformers < 5)") from None
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def model_wrapper(loaded, checkpoint, task, batch_size: int = 32, max_length: int = 128):
    """A TextAttack ``ModelWrapper`` over a loaded robustx classifier: class probabilities in
    ``task.labels`` order, the same scoring path as a study (``engine.predict``)."""
    base = textattack().models.wrappers.ModelWrapper

    class ModelWrapper(base):
        def __init__(self) -> None:
            self.model = loaded.model  # TextAttack reads .model (e.g. to find its device)

        def __call__(self, text_input_list: Sequence) -> np.ndarray:
            from robustx.engine.predict import predict_logits

            inputs = [(x,) if isinstance(x, str) else tuple(x) for x in text_input_list]
            logits = predict_logits(loaded.model, loaded.tokenizer, inputs, batch_size=batch_size,
                                    max_length=max_length, device=loaded.device, prefix=checkpoint.prefix)
            logits = logits[:, loaded.label_index].astype(np.float64)
            exp = np.exp(logits - logits.max(axis=1, keepdims=True))
            return exp / exp.sum(axis=1, keepdims=True)

    return ModelWrapper()


def transformation(perturbation, lang: str, seed: int = 0, draws: int = 4):
    """A TextAttack ``WordSwap`` whose replacements of a word are robustx's candidates for it: the
    distinct outputs of ``draws`` seeded runs of ``perturbation`` (a robustx recipe) at rate 1 on
    the word, so they keep its script and grapheme clusters. TextAttack still chooses the words
    (its own segmentation, which splits some scripts: see FINDINGS.md)."""
    import random

    from robustx.attack.candidates import at_rate_one
    from robustx.hashing import stable_seed
    from robustx.perturb.base import seed_params

    listing = at_rate_one(perturbation)
    params = seed_params(perturbation)

    class RobustxTransformation(textattack().transformations.WordSwap):
        def _get_replacement_words(self, word: str) -> list[str]:
            out = {}
            for draw in range(draws):
                rng = random.Random(stable_seed(seed, perturbation.name, params, "textattack", word, draw))
                text = listing.perturb_text(word, lang, rng).text
                if text != word:
                    out.setdefault(text, None)
            return list(out)

        def extra_repr_keys(self):
            return []

    return RobustxTransformation()


def script_constraint(lang: str):
    """A TextAttack ``Constraint``: the attacked text adds no letter of a script ``lang`` is not
    written in (robustx's script-preservation constraint)."""
    from robustx.text import LANGUAGES, char_script, is_letter

    if lang not in LANGUAGES:
        raise RobustxError(f"unknown language {lang!r}; known: {', '.join(LANGUAGES)}")
    allowed = {*LANGUAGES[lang].scripts, "Common", "Inherited"}

    def foreign(text: str) -> set[str]:
        return {ch for ch in text if is_letter(ch) and char_script(ch) not in allowed}

    class RobustxScriptConstraint(textattack().constraints.Constraint):
        def __init__(self) -> None:
            super().__init__(compare_against_original=True)

        def _check_constraint(self, transformed_text, reference_text) -> bool:
            return foreign(transformed_text.text) <= foreign(reference_text.text)

    return RobustxScriptConstraint()
