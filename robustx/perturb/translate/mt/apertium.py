"""Apertium: rule-based MT run as a subprocess, one call per batch.

Each call costs about 0.35 s of start-up, so a batch is sent as one text with one
sentence per line (newlines inside a text become spaces) and split back by line;
Apertium keeps line breaks. Where the line count of a reply does not match (it never
did on XNLI), the batch is split in halves and retried, down to single texts.
``-u`` drops Apertium's unknown-word marks (``*word``); runs of spaces that dropped
pronouns leave are collapsed. Mode names (``eng-spa``, ``fr-es``) are mapped to ISO
639-1 codes; variant modes (``spa-eng_US``) and chained ones (``eco-es-fr``) are ignored.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from typing import Sequence

from robustx.errors import RobustxError
from robustx.perturb.translate.mt import MTBackend

INSTALL = "apt-get install apertium apertium-eng-spa apertium-fr-es (Debian/Ubuntu; other pairs: apt-cache search apertium)"
BATCH = 2000  # lines per call
# Apertium's three-letter codes for the languages it pairs (ISO 639-3).
ISO3 = {
    "af": "afr", "an": "arg", "ar": "ara", "be": "bel", "br": "bre", "ca": "cat", "cy": "cym", "da": "dan",
    "de": "deu", "en": "eng", "eo": "epo", "es": "spa", "eu": "eus", "fr": "fra", "gl": "glg", "hi": "hin",
    "is": "isl", "it": "ita", "kk": "kaz", "mk": "mkd", "mt": "mlt", "nb": "nob", "nl": "nld", "nn": "nno",
    "oc": "oci", "pt": "por", "ro": "ron", "ru": "rus", "sc": "srd", "sv": "swe", "tr": "tur", "tt": "tat",
    "uk": "ukr", "ur": "urd",
}  # fmt: skip
_ISO1 = {v: k for k, v in ISO3.items()}
_SPACES = re.compile(r"\s+")


def _code(part: str) -> str | None:
    if part in ISO3:
        return part
    return _ISO1.get(part)


class Apertium(MTBackend):
    name = "apertium"

    def __init__(self, model: str = "") -> None:
        super().__init__(model)
        self._modes: dict[tuple[str, str], str] | None = None

    def _command(self, *args: str) -> list[str]:
        exe = shutil.which("apertium")
        if exe is None:
            raise RobustxError(f"MT backend 'apertium' is not installed (no 'apertium' on PATH): {INSTALL}")
        return [exe, *(("-d", self.model) if self.model else ()), *args]

    def modes(self) -> dict[tuple[str, str], str]:
        """(src, tgt) -> Apertium mode name, for the installed pairs."""
        if self._modes is None:
            result = subprocess.run(self._command("-l"), capture_output=True, text=True)
            modes = {}
            for line in result.stdout.split():
                parts = line.strip().split("-")
                if len(parts) == 2:
                    src, tgt = _code(parts[0]), _code(parts[1])
                    if src and tgt:
                        modes.setdefault((src, tgt), line.strip())
            if not modes:
                where = f" in {self.model}" if self.model else ""
                raise RobustxError(f"MT backend 'apertium': no language pairs installed{where}: {INSTALL}")
            self._modes = modes
        return self._modes

    def pairs(self) -> frozenset[tuple[str, str]]:
        return frozenset(self.modes())

    def translate_direct(self, texts: Sequence[str], src: str, tgt: str) -> list[str]:
        mode = self.modes().get((src, tgt))
        if mode is None:
            raise RobustxError(f"MT backend 'apertium' has no {src}-{tgt} pair; pairs: {self.describe_pairs()}")
        out: list[str] = []
        for i in range(0, len(texts), BATCH):
            out.extend(self._call(mode, [_SPACES.sub(" ", t).strip() for t in texts[i : i + BATCH]]))
        return out

    def _call(self, mode: str, lines: list[str]) -> list[str]:
        result = subprocess.run(self._command("-u", mode), input="\n".join(lines) + "\n", capture_output=True, text=True)
        if result.returncode != 0:
            problem = (result.stderr.strip().splitlines() or ["no message"])[0]
            raise RobustxError(f"apertium {mode} failed (exit {result.returncode}): {problem}")
        replies = result.stdout.split("\n")
        if replies and replies[-1] == "":
            replies.pop()
        if len(replies) == len(lines):
            return [_SPACES.sub(" ", r).strip() for r in replies]
        if len(lines) == 1:
            return [_SPACES.sub(" ", " ".join(replies)).strip()]
        half = len(lines) // 2
        return self._call(mode, lines[:half]) + self._call(mode, lines[half:])
