"""Keyboard-neighbour tables generated from X11 xkb-data (``tools/gen_keyboards.py``;
Korean from the KS X 5002 2-set layout, which xkb-data lacks).

Each ``keyboards/<lang>.json`` maps a character on level 1 or 2 of a key to the
characters on the same level of the physically adjacent keys. A table may name an
input method (``"ime"``) that types another script through the keys' letters: then
that script's typos are the input method's (``IMES``), e.g. Chinese through pinyin.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from robustx.errors import RobustxError
from robustx.perturb.char import pinyin_ime
from robustx.text.graphemes import stands_alone
from robustx.text.scripts import char_info

KEYBOARD_DIR = Path(__file__).with_name("keyboards")


@dataclass(frozen=True)
class Keyboard:
    name: str
    layout: str
    source: str
    note: str
    neighbours: Mapping[str, tuple[str, ...]]
    ime: str = ""


# Input method -> (the script it types, its typos from the keyboard's lower-case letter neighbours).
IMES = {"pinyin": ("Han", pinyin_ime.typos)}


def available() -> tuple[str, ...]:
    """Names of the committed tables (one per XTREME language code)."""
    return tuple(sorted(path.stem for path in KEYBOARD_DIR.glob("*.json")))


@lru_cache(maxsize=None)
def load(name: str) -> Keyboard:
    record = json.loads((KEYBOARD_DIR / f"{name}.json").read_text(encoding="utf-8"))
    neighbours = {char: tuple(near) for char, near in record["neighbours"].items()}
    ime = record.get("ime", "")
    if ime and ime not in IMES:
        raise RobustxError(f"keyboards/{name}.json: unknown input method {ime!r}; known: {', '.join(IMES)}")
    return Keyboard(name, record["layout"], record["source"], record.get("note", ""), neighbours, ime)


@lru_cache(maxsize=None)
def substitutions(name: str, script: str) -> Mapping[str, tuple[str, ...]]:
    """Typo candidates inside words of ``script``: char -> neighbours of the same kind.

    A letter maps to neighbouring letters of ``script`` that stand alone (so it stays
    the base of its cluster), a combining mark to neighbouring marks of ``script``
    with the same canonical combining class (so it stays attached in the same slot:
    a Thai tone mark becomes another tone mark, a Devanagari vowel sign another vowel
    sign, and a virama has no substitute); other scripts are never offered.
    """
    keyboard = load(name)
    if keyboard.ime and IMES[keyboard.ime][0] == script:
        letters = tuple((c, tuple(n for n in near if n.isascii() and n.islower()))
                        for c, near in sorted(keyboard.neighbours.items()) if c.isascii() and c.islower())
        return IMES[keyboard.ime][1](letters)
    table: dict[str, tuple[str, ...]] = {}
    for char, near in keyboard.neighbours.items():
        own_script, letter, mark = char_info(char)
        if own_script != script or not (letter or mark):
            continue
        kind = (script, letter, mark, unicodedata.combining(char))
        same = []
        for other in near:
            # Text is normalized: the lam-alef key types two letters, the Bengali RRA key
            # a letter and a nukta. Hangul compatibility jamo stay as typed: NFKC would
            # make them conjoining jamo, which fuse with a neighbouring syllable.
            form = other if char_info(other)[0] == "Hangul" else unicodedata.normalize("NFKC", other)
            first = form[0]
            if (*char_info(first), unicodedata.combining(first)) != kind or form == char:
                continue
            if all(char_info(c)[0] == script for c in form) and (mark or stands_alone(first)):
                same.append(form)
        if same:
            table[char] = tuple(dict.fromkeys(same))
    return table


@lru_cache(maxsize=None)
def letters(name: str, script: str) -> tuple[str, ...]:
    """Lower-case or caseless letters of ``script`` on keyboard ``name``, sorted."""
    chars = load(name).neighbours
    return tuple(char for char in chars if char_info(char)[:2] == (script, True) and char == char.lower())
