"""XQuAD: 1190 SQuAD v1.1 questions on 240 paragraphs, professionally translated (11 languages).

A test set: the files are ``xquad.<lang>.json`` (the XQuAD repository, XTREME's download
folder and the offline copy in ``xquad/``); Hugging Face publishes each language as
``google/xtreme`` ``XQuAD.<lang>``, split ``validation``. Question ids are shared across
languages, so a row is the same question in every language.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from robustx.tasks.common import Rows
from robustx.tasks.hf import hf_qa_rows
from robustx.tasks.squad import SquadTask, squad_rows

HF_DATASET = "google/xtreme"


class XQuAD(SquadTask):
    name: ClassVar[str] = "xquad"
    languages: ClassVar[tuple[str, ...]] = ("ar", "de", "el", "en", "es", "hi", "ru", "th", "tr", "vi", "zh")
    folders: ClassVar[tuple[str, ...]] = ("xquad",)
    parallel: ClassVar[bool] = True

    def local_rows(self, root: Path, lang: str, split: str) -> Rows:
        path = self.locate(root, (f"xquad.{lang}.json",), f"XQuAD data for {lang!r}")
        return squad_rows(path), str(path)

    def hf_rows(self, lang: str, split: str) -> Rows:
        return hf_qa_rows(HF_DATASET, f"XQuAD.{lang}", "validation")
