"""Multilingual wordnets in the Open Multilingual Wordnet tab format, loaded from a directory.

The files are not part of robustx (Wiktionary-derived wordnets are CC BY-SA, several
native wordnets NonCommercial): a user points robustx at a directory that holds
them, by the recipe parameter ``lexical_dir`` or the environment variable
``ROBUSTX_LEXICAL_DIR``. That directory may be the ``lexical`` folder of the offline
data (holding ``omw/wikt/``), the ``omw`` folder, or a folder of ``.tab`` files.

Two sources, each a set of files per ISO 639-3 code:

- ``wikt``: ``wn-wikt-<iso3>.tab`` (Bond & Foster 2013's wordnets from Wiktionary), for
  ar bg de el en es fr hi ja ko ru sw th tr ur vi zh: every XNLI language.
- ``omw``: the native wordnets of the Open Multilingual Wordnet, ``<any>/wn-data-<iso3>.tab``
  (for Arabic the undiacritized ``wn-nodia-arb.tab`` when present, as running text is
  undiacritized): ar bg el fr zh in the offline copy, more where a full OMW is given.

Both key senses by Princeton WordNet 3.0 synset ids, so sources merge by synset. A
line is ``synset<TAB>[lang:]lemma<TAB>lemma``; other line kinds (definitions,
examples, roots) are skipped. An index maps each lemma to the sorted other lemmas of
all its synsets (no sense disambiguation: EDA's choice); it is built once per
process and directory: 5-250 ms per language for the Wiktionary files (English, the
largest, ~0.2 s), up to 0.6 s with a native OMW file (Chinese Open Wordnet).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from robustx.errors import RobustxError
from robustx.perturb.lexical import lexical_root, origin

SOURCES = ("wikt", "omw")

# ISO 639-1 (as robustx names languages) -> ISO 639-3 codes used by OMW file names.
ISO3: dict[str, str] = {
    "af": "afr", "ar": "arb", "bg": "bul", "bn": "ben", "de": "deu", "el": "ell", "en": "eng",
    "es": "spa", "et": "est", "eu": "eus", "fa": "fas", "fi": "fin", "fr": "fra", "he": "heb",
    "hi": "hin", "hu": "hun", "id": "ind", "it": "ita", "ja": "jpn", "jv": "jav", "ka": "kat",
    "kk": "kaz", "ko": "kor", "ml": "mal", "mr": "mar", "ms": "zsm", "my": "mya", "nl": "nld",
    "pt": "por", "ru": "rus", "sw": "swa", "ta": "tam", "te": "tel", "th": "tha", "tl": "tgl",
    "tr": "tur", "ur": "urd", "vi": "vie", "yo": "yor", "zh": "cmn",
}  # fmt: skip
# XTREME languages each source covers: the Wiktionary wordnets (Bond & Foster 2013), and
# the native wordnets of OMW 1.4 (only ar bg el fr zh are in the offline copy; a file
# missing under the configured directory is an error at first use).
COVERS: dict[str, frozenset[str]] = {
    "wikt": frozenset("ar bg de el en es fr hi ja ko ru sw th tr ur vi zh".split()),
    "omw": frozenset("ar bg el es eu fa fi fr he id it ja ms nl pt th zh".split()),
}


def lexical_dir(configured: str, who: str) -> Path:
    """The wordnet directory: ``configured`` (``params.lexical_dir``) if given, else ``$ROBUSTX_LEXICAL_DIR``."""
    path = lexical_root(configured, who, "wordnets (omw/wikt/wn-wikt-<iso3>.tab)")
    if not path.is_dir():
        raise RobustxError(f"{who}: wordnet directory {path} (from {origin(configured)}) does not exist")
    return path


def wordnet_files(root: Path, lang: str, sources: tuple[str, ...]) -> list[Path]:
    """The files of ``sources`` for ``lang`` under ``root``, in a fixed order."""
    iso3 = ISO3.get(lang)
    if iso3 is None:
        return []
    found: list[Path] = []
    for source in sources:
        if source == "wikt":
            name = f"wn-wikt-{iso3}.tab"
            for where in (root / "omw" / "wikt", root / "wikt", root):
                if (where / name).is_file():
                    found.append(where / name)
                    break
        else:
            for where in (root / "omw", root):
                nodia = sorted(where.glob(f"*/wn-nodia-{iso3}.tab"))
                data = nodia or sorted(where.glob(f"*/wn-data-{iso3}.tab")) or sorted(where.glob(f"wn-data-{iso3}.tab"))
                if data:
                    found.extend(data)
                    break
    return found


@dataclass
class Wordnet:
    """Lemma -> synonyms (sorted, without the lemma) for one language.

    ``longest``: code points in the longest lemma without a space (at most 16), the
    window of the longest-match segmentation of scripts written without spaces.
    """

    synonyms: dict[str, tuple[str, ...]]
    lemmas: frozenset[str]
    longest: int
    files: tuple[str, ...]
    _cache: dict = field(default_factory=dict, repr=False)


def _read(path: Path, synsets: dict[str, list[str]]) -> None:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            parts = line.rstrip("\n\r").split("\t")
            if len(parts) < 3:
                continue
            synset, kind, lemma = parts[0], parts[1], parts[2].strip()
            if lemma and (kind == "lemma" or kind.endswith(":lemma")):
                members = synsets.setdefault(synset, [])
                if lemma not in members:
                    members.append(lemma)


_LOCK = threading.Lock()


@lru_cache(maxsize=64)
def _load(files: tuple[str, ...]) -> Wordnet:
    synsets: dict[str, list[str]] = {}
    for name in files:
        _read(Path(name), synsets)
    senses: dict[str, set[str]] = {}
    for members in synsets.values():
        for lemma in members:
            senses.setdefault(lemma, set()).update(members)
    synonyms = {lemma: tuple(sorted(others - {lemma})) for lemma, others in senses.items() if len(others) > 1}
    longest = min(16, max((len(lemma) for lemma in senses if not any(c.isspace() for c in lemma)), default=0))
    return Wordnet(synonyms, frozenset(senses), longest, files)


def load(root: Path, lang: str, sources: tuple[str, ...], who: str) -> Wordnet:
    """The index of ``lang`` from the files under ``root`` (cached per process)."""
    files = wordnet_files(root, lang, sources)
    if not files:
        iso3 = ISO3.get(lang, "?")
        wanted = " or ".join(
            f"wn-wikt-{iso3}.tab (in omw/wikt/)" if s == "wikt" else f"*/wn-data-{iso3}.tab (in omw/)" for s in sources
        )
        raise RobustxError(f"{who}: no wordnet for {lang} under {root}: looked for {wanted}")
    with _LOCK:
        return _load(tuple(str(f.resolve()) for f in files))
