"""Synonym substitution from multilingual wordnets (EDA's synonym replacement, any language).

A word is replaced by a lemma that shares a synset with it in the language's
wordnet (``wordnet``: Wiktionary-derived wordnets for every XNLI language, native
OMW wordnets optionally), drawn uniformly from the sorted candidates: no sense
disambiguation and no part-of-speech filter, as in EDA. A word is looked up as
written, then in lower case; the replacement takes a capital first letter (or all
capitals) from the word it replaces and keeps its own capitals (German nouns).

Candidates must be one word of the replaced word's script (any of Japanese's three
scripts in Japanese): no multiword lemma unless ``multiword``, no digit, hyphen or
other script, so no foreign letters come in. ``units`` counts the words that have a
candidate; ``rate`` of them are replaced. Words that are part of a larger unit
(``don`` of ``don't``) are never looked up, nor words shorter than ``min_length``
grapheme clusters in scripts written with spaces (mostly function words, which
wordnets cover badly: ``zu`` -> ``allzu``).

Scripts written without spaces (Chinese, Japanese, Thai) are segmented by greedy
longest match against the wordnet's own lemmas inside each run of letters: the
candidates for replacement are exactly the substrings the wordnet knows. With a
small wordnet (Thai: 3,000 lemmas) a short lemma may match inside a longer word it
does not know. Vietnamese writes a space between syllables, not words: runs of up
to four syllables are matched the same way (``đặc ân``), and their synonyms may
have spaces. Inflected or agglutinated forms (Korean eojeol, Turkish, Japanese verb
endings) are found only where the wordnet lists them, which it rarely does.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from robustx.errors import ParamsError
from robustx.perturb.base import Edit, Perturbation, PerturbedText
from robustx.perturb.editing import check_rate, choose
from robustx.perturb.word import wordnet
from robustx.perturb.word.units import cluster_safe, lexical_words, match_case, scripts_for, single_word
from robustx.text import CHUNK_SIZE, Word, grapheme_spans

# Languages whose words are written as syllables separated by spaces: multi-syllable
# lemmas ("đặc ân") are matched as runs of syllables, and their synonyms may have spaces.
SYLLABIC = frozenset({"vi"})
MAX_SYLLABLES = 4


@dataclass(frozen=True)
class SynonymParams:
    """``rate``: fraction of words with a synonym replaced; ``lexical_dir``: wordnet directory
    (default ``$ROBUSTX_LEXICAL_DIR``); ``sources``: ``wikt`` and/or ``omw``; ``multiword``:
    allow multiword synonyms; ``min_length``: shortest word looked up (clusters, scripts
    with spaces)."""

    rate: float = 0.1
    lexical_dir: str = ""
    sources: tuple[str, ...] = ("wikt",)
    multiword: bool = False
    min_length: int = 3

    def __post_init__(self) -> None:
        check_rate(self.rate)
        sources = (self.sources,) if isinstance(self.sources, str) else tuple(self.sources)
        unknown = sorted(set(sources) - set(wordnet.SOURCES))
        if unknown or not sources:
            raise ParamsError(f"sources must be a non-empty subset of {', '.join(wordnet.SOURCES)}; got {list(sources)}")
        object.__setattr__(self, "sources", tuple(s for s in wordnet.SOURCES if s in sources))
        if not isinstance(self.multiword, bool):
            raise ParamsError(f"multiword must be true or false, got {self.multiword!r}")
        if not isinstance(self.min_length, int) or self.min_length < 1:
            raise ParamsError(f"min_length must be a positive integer, got {self.min_length!r}")


class WordnetSynonym(Perturbation):
    name = "word.synonym"
    family = "word"
    Params = SynonymParams
    location_params = ("lexical_dir",)

    def __init__(self, params: SynonymParams) -> None:
        super().__init__(params)
        self._wordnets: dict[str, wordnet.Wordnet] = {}

    def unsupported_reason(self, lang: str) -> str | None:
        """From the sources' language lists alone: a missing file is an error at first use."""
        if any(lang in wordnet.COVERS[source] for source in self.params.sources):
            return None
        if lang in wordnet.COVERS["omw"]:
            return "no Wiktionary wordnet; an OMW one exists: add 'omw' to sources"
        return "no Wiktionary or OMW wordnet"

    def resource_files(self, lang: str) -> tuple[Path, ...]:
        root = wordnet.lexical_dir(self.params.lexical_dir, self.name)
        return tuple(wordnet.wordnet_files(root, lang, self.params.sources))

    def _wordnet(self, lang: str) -> wordnet.Wordnet:
        found = self._wordnets.get(lang)
        if found is None:
            root = wordnet.lexical_dir(self.params.lexical_dir, self.name)
            found = self._wordnets[lang] = wordnet.load(root, lang, self.params.sources, self.name)
        return found

    def _candidates(
        self, wn: wordnet.Wordnet, surface: str, scripts: frozenset[str], multiword: bool = False
    ) -> tuple[str, ...]:
        multiword = multiword or self.params.multiword
        key = (surface, scripts, multiword)
        found = wn._cache.get(key)
        if found is not None:
            return found
        lemma = surface if surface in wn.synonyms else surface.lower()
        out: set[str] = set()
        for lemma_ in wn.synonyms.get(lemma, ()):
            parts = lemma_.split()
            if not parts or (len(parts) > 1 and not multiword):
                continue
            if all(single_word(part, scripts) for part in parts):
                new = match_case(surface, " ".join(parts))
                if new.lower() != surface.lower():
                    out.add(new)
        found = wn._cache[key] = tuple(sorted(out))
        return found

    def _slots(self, text: str, lang: str, wn: wordnet.Wordnet) -> list[tuple[int, int, tuple[str, ...]]]:
        """``(start, end, candidates)`` of every word that has a synonym, in order."""
        slots = []
        ws = lexical_words(text)
        i = 0
        while i < len(ws):
            word = ws[i]
            if word.script in CHUNK_SIZE:  # a run of letters without spaces: segment it
                j = i + 1
                while j < len(ws) and ws[j].script in CHUNK_SIZE and ws[j].start == ws[j - 1].end:
                    j += 1
                slots.extend(self._segment(text, lang, wn, ws[i:j]))
                i = j
                continue
            if lang in SYLLABIC:  # words of several syllables, written with spaces between
                j = i + 1
                while j < len(ws) and ws[j].script == word.script and text[ws[j - 1].end : ws[j].start] == " ":
                    j += 1
                slots.extend(self._syllables(text, lang, wn, ws[i:j]))
                i = j
                continue
            if len(word.graphemes) >= self.params.min_length:
                found = self._candidates(wn, text[word.start : word.end], scripts_for(lang, word.script))
                if found:
                    slots.append((word.start, word.end, found))
            i += 1
        return slots

    def _syllables(self, text: str, lang: str, wn: wordnet.Wordnet, run: list[Word]):
        """Greedy longest match of runs of up to ``MAX_SYLLABLES`` syllables against the lemmas."""
        scripts = scripts_for(lang, run[0].script)
        i = 0
        while i < len(run):
            for size in range(min(MAX_SYLLABLES, len(run) - i), 0, -1):
                start, end = run[i].start, run[i + size - 1].end
                surface = text[start:end]
                if surface in wn.lemmas or surface.lower() in wn.lemmas:
                    if sum(len(w.graphemes) for w in run[i : i + size]) >= self.params.min_length:
                        found = self._candidates(wn, surface, scripts, multiword=True)
                        if found:
                            yield start, end, found
                    i += size
                    break
            else:
                i += 1

    def _segment(self, text: str, lang: str, wn: wordnet.Wordnet, run: list[Word]):
        """Greedy longest match of the run's clusters against the wordnet's lemmas."""
        start = run[0].start
        spans = grapheme_spans(text[start : run[-1].end])
        cuts = [start + s for s, _ in spans] + [start + spans[-1][1]]
        scripts = scripts_for(lang, run[0].script)
        i, n = 0, len(spans)
        while i < n:
            for size in range(min(wn.longest, n - i), 0, -1):
                surface = text[cuts[i] : cuts[i + size]]
                if surface in wn.lemmas:
                    found = self._candidates(wn, surface, scripts)
                    if found:
                        yield cuts[i], cuts[i + size], found
                    i += size
                    break
            else:
                i += 1

    def perturb_text(self, text: str, lang: str, rng: random.Random) -> PerturbedText:
        wn = self._wordnet(lang)
        slots = self._slots(text, lang, wn)
        edits = [
            Edit("", start, end, text[start:end], rng.choice(found), "synonym")
            for start, end, found in choose(slots, self.params.rate, rng)
        ]
        out, kept = cluster_safe(text, edits)
        return PerturbedText(out, tuple(kept), len(slots), len(kept))
