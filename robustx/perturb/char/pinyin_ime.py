"""Chinese typing errors through a pinyin input method on a US keyboard.

Chinese is typed as toneless pinyin and the input method (IME) offers the characters
with that reading, most frequent first. Two slips come out as wrong characters: taking
a homophone from the candidate list, and hitting a neighbouring key while spelling the
syllable, when the result still spells a syllable (the IME then offers that syllable's
most frequent character; a non-syllable is caught while typing). ``typos`` lists both
for each common character (the single Han characters of wordfreq's Chinese list, about
3,400): its ``HOMOPHONES`` most frequent homophones, then, letter by letter of its
reading and key by key of that letter's neighbours, the characters of the syllables a
slip spells. ``ü`` is typed ``v``, as on every pinyin IME.

Readings (each character's default one) come from pypinyin, frequencies from wordfreq;
both are loaded at first use, never vendored, and the table is built once per process.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Mapping

from robustx.errors import RobustxError

HOMOPHONES = 2


def _libraries():
    try:
        from pypinyin import Style, lazy_pinyin
        from wordfreq import get_frequency_dict
    except ImportError as exc:
        raise RobustxError(f"Chinese keyboard typos need pypinyin and wordfreq ({exc.name} is missing): "
                           "pip install pypinyin wordfreq") from None
    return Style, lazy_pinyin, get_frequency_dict


@lru_cache(maxsize=None)
def typos(keys: tuple[tuple[str, tuple[str, ...]], ...]) -> Mapping[str, tuple[str, ...]]:
    """Han character -> the characters an IME slip turns it into, most likely first.

    ``keys``: the keyboard's letter -> neighbouring letters (lower case), as items.
    """
    style, lazy_pinyin, get_frequency_dict = _libraries()
    frequency = {w: p for w, p in get_frequency_dict("zh", "small").items() if len(w) == 1 and "\u4e00" <= w <= "\u9fff"}
    reading = {char: lazy_pinyin(char, style=style.NORMAL, v_to_u=False)[0] for char in frequency}
    by_syllable: dict[str, list[str]] = {}
    for char in sorted(frequency, key=lambda c: (-frequency[c], c)):
        if reading[char].isascii() and reading[char].isalpha():
            by_syllable.setdefault(reading[char], []).append(char)
    near = dict(keys)
    table: dict[str, tuple[str, ...]] = {}
    for syllable, chars in by_syllable.items():
        slips = [by_syllable[other][0] for i, letter in enumerate(syllable) for key in near.get(letter, ())
                 if (other := syllable[:i] + key + syllable[i + 1 :]) in by_syllable]
        for char in chars:
            homophones = [c for c in chars if c != char][:HOMOPHONES]
            found = tuple(dict.fromkeys(c for c in homophones + slips if c != char))
            if found:
                table[char] = found
    return table
