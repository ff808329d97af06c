"""TyDiQA-GoldP: extractive QA on the gold passage (SQuAD v1.1 JSON), 9 languages.

XTREME scores TyDiQA-GoldP on its dev set, so that set is this task's only split, ``test``.
Question ids begin with the language's English name (``arabic-...``); the file of all
languages and the Hugging Face copy are filtered by that prefix.

Layouts (no offline copy exists in ``../shared/data``):

* ``tydiqa/tydiqa-goldp-v1.1-dev/tydiqa-goldp-dev-<name>.json``: the release archive
  ``tydiqa-goldp-v1.1-dev.tgz`` unpacked, as XTREME downloads it (``<name>`` = ``arabic``, ...);
* ``tydiqa.goldp.<lang>.dev.json`` in the same folder: XTREME's renamed copies (whose
  answers its download script blanks: they are refused with a message saying so);
* ``tydiqa-goldp-v1.1-dev.json``: the release's single file of all languages;
* Hugging Face ``google/xtreme`` ``tydiqa``, split ``validation``.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Mapping

from robustx.tasks.common import Rows
from robustx.tasks.hf import hf_qa_rows
from robustx.tasks.readers import find_file
from robustx.tasks.squad import SquadTask, squad_rows

HF_DATASET = "google/xtreme"
ALL_LANGUAGES = "tydiqa-goldp-v1.1-dev.json"  # the release's file of every language

TYDIQA_NAMES: Mapping[str, str] = {
    "ar": "arabic", "bn": "bengali", "en": "english", "fi": "finnish", "id": "indonesian",
    "ko": "korean", "ru": "russian", "sw": "swahili", "te": "telugu",
}


class TyDiQA(SquadTask):
    name: ClassVar[str] = "tydiqa"
    languages: ClassVar[tuple[str, ...]] = tuple(sorted(TYDIQA_NAMES))
    folders: ClassVar[tuple[str, ...]] = ("tydiqa", "tydiqa/tydiqa-goldp-v1.1-dev", "tydiqa-goldp-v1.1-dev")

    def local_rows(self, root: Path, lang: str, split: str) -> Rows:
        name = TYDIQA_NAMES[lang]
        folders = (*self.folders, "")
        # A language's own file first, wherever it is; then the file of all languages.
        candidates = [Path(f, n) for n in (f"tydiqa-goldp-dev-{name}.json", f"tydiqa.goldp.{lang}.dev.json")
                      for f in folders]
        candidates += [Path(f, ALL_LANGUAGES) for f in folders]
        path = find_file(root, candidates, f"TyDiQA-GoldP data for {lang!r}")
        keep = (lambda qid: qid.startswith(f"{name}-")) if path.name == ALL_LANGUAGES else None
        return squad_rows(path, keep), str(path)

    def hf_rows(self, lang: str, split: str) -> Rows:
        name = TYDIQA_NAMES[lang]
        return hf_qa_rows(HF_DATASET, "tydiqa", "validation", keep=lambda qid: qid.startswith(f"{name}-"))
