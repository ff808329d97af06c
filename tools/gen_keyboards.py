"""Generate keyboard-neighbour tables for the 40 XTREME languages from X11 xkb-data.

Usage: ``python tools/gen_keyboards.py [--symbols DIR] [--keysymdef FILE] [--out DIR]``

For each language it resolves one national layout from ``xkb-data``'s ``symbols``
folder (following ``include`` statements), places the keys of the four character
rows on the standard ISO/ANSI geometry and writes, for every character on level 1
(plain) or level 2 (shift), the characters on the same level of the physically
adjacent keys. Output is sorted JSON, so regenerating on the same xkb-data gives
byte-identical files.

Layout choices (see ``LAYOUTS``): the national layout where xkb-data has one; ``us``
for languages typed on US keyboards (id, ms, jv in Latin script, nl where
US-International is the norm, zh through a pinyin IME); ``jp(kana)`` for ja (JIS kana
input; its katakana keys also get hiragana twins because the IME types hiragana by
default); for ko, the Hangul jamo of the KS X 5002 2-set (dubeolsik) standard on the
letter keys of ``kr``, whose xkb layout only holds Latin letters because xkb-data has
no Hangul layout (an IME composes the typed jamo into syllables; see ``DUBEOLSIK``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path

SYMBOLS = Path("/usr/share/X11/xkb/symbols")
KEYSYMDEF = Path("/usr/include/X11/keysymdef.h")
OUT = Path(__file__).resolve().parents[1] / "robustx" / "perturb" / "char" / "keyboards"

# language -> (xkb file, variant or None for the file's default, note)
LAYOUTS: dict[str, tuple[str, str | None, str]] = {
    "af": ("za", None, ""),
    "ar": ("ara", None, ""),
    "bg": ("bg", None, ""),
    "bn": ("bd", None, ""),
    "de": ("de", None, ""),
    "el": ("gr", None, ""),
    "en": ("us", None, ""),
    "es": ("es", None, ""),
    "et": ("ee", None, ""),
    "eu": ("es", None, "Basque is typed on the Spanish layout."),
    "fa": ("ir", None, ""),
    "fi": ("fi", None, ""),
    "fr": ("fr", None, ""),
    "he": ("il", None, ""),
    "hi": ("in", "deva", ""),
    "hu": ("hu", None, ""),
    "id": ("us", None, "Indonesian is typed on US keyboards (xkb 'id' is Jawi)."),
    "it": ("it", None, ""),
    "ja": ("jp", "kana", "JIS kana input; katakana keys also yield hiragana; Han is typed through an IME."),
    "jv": ("us", None, "Javanese in Latin script (xkb 'jv' is Javanese script)."),
    "ka": ("ge", None, ""),
    "kk": ("kz", None, ""),
    "ko": ("kr", None, "KS X 5002 2-set jamo on the letter keys; an IME composes them into syllables."),
    "ml": ("in", "mal", ""),
    "mr": ("in", "marathi", ""),
    "ms": ("us", None, "Malay in Latin script (xkb 'my' is Jawi)."),
    "my": ("mm", None, ""),
    "nl": ("us", None, "Dutch keyboards in the Netherlands are US-International."),
    "pt": ("br", None, "Brazilian ABNT2, the layout of most Portuguese speakers."),
    "ru": ("ru", None, ""),
    "sw": ("ke", None, ""),
    "ta": ("in", "tam", ""),
    "te": ("in", "tel", ""),
    "th": ("th", None, ""),
    "tl": ("ph", None, ""),
    "tr": ("tr", None, ""),
    "ur": ("pk", None, ""),
    "vi": ("vn", None, ""),
    "yo": ("ng", "yoruba", ""),
    "zh": ("us", None, "Chinese is typed through a pinyin IME on a US layout: Han typos are the IME's "
                       "(robustx.perturb.char.pinyin_ime)."),
}
# Languages typed through an input method on their layout's letters (robustx.perturb.char.layouts.IMES).
IME = {"zh": "pinyin"}

# KS X 5002 2-set (dubeolsik) Hangul, the standard Korean layout, which xkb-data lacks:
# row -> plain and shifted jamo of its letter keys from the left (AD01 Q, AC01 A, AB01 Z).
# Shift doubles five consonants and turns two vowels into their i-forms; on the other
# keys it types the same jamo.
DUBEOLSIK = {
    "AD": ("ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔ", "ㅃㅉㄸㄲㅆㅛㅕㅑㅒㅖ"),
    "AC": ("ㅁㄴㅇㄹㅎㅗㅓㅏㅣ", "ㅁㄴㅇㄹㅎㅗㅓㅏㅣ"),
    "AB": ("ㅋㅌㅊㅍㅠㅜㅡ", "ㅋㅌㅊㅍㅠㅜㅡ"),
}
ROW_OFFSET = {"AE": 0.0, "AD": 0.5, "AC": 0.75, "AB": 1.25}
ROWS = ("AE", "AD", "AC", "AB")
KEY_DEF = re.compile(r"(replace\s+|override\s+|augment\s+)?key\s*<(\w+)>\s*\{([^}]*)\}")
INCLUDE = re.compile(r"(include|replace|override|augment)\s+\"([^\"]+)\"")
SECTION = re.compile(r"((?:\w+\s+)*)xkb_symbols\s+\"([^\"]+)\"\s*\{")


def load_keysyms(path: Path) -> dict[str, int]:
    """Keysym name -> code point, from keysymdef.h (aliases resolved through their value)."""
    pattern = r"#define XK_(\w+)\s+0x([0-9a-fA-F]+)\s*(?:/\*\s*\(?U\+([0-9A-Fa-f]+))?"
    defs = re.findall(pattern, path.read_text())
    by_value = {int(value, 16): int(cp, 16) for _, value, cp in defs if cp}
    table: dict[str, int] = {}
    for name, value, cp in defs:
        v = int(value, 16)
        if cp:
            table[name] = int(cp, 16)
        elif v in by_value:
            table[name] = by_value[v]
        elif 0x20 <= v <= 0x7E or 0xA0 <= v <= 0xFF:
            table[name] = v
    return table


def keysym_char(name: str, keysyms: dict[str, int]) -> str | None:
    """The printable character a keysym types, or None (dead keys, controls, spaces)."""
    if name.startswith("dead_") or name in ("NoSymbol", "VoidSymbol"):
        return None
    if re.fullmatch(r"U[0-9A-Fa-f]{4,6}", name):
        cp = int(name[1:], 16)
    elif re.fullmatch(r"0x0?1[0-9A-Fa-f]{6}", name):
        cp = int(name, 16) - 0x1000000
    elif name in keysyms:
        cp = keysyms[name]
    else:
        return None
    char = chr(cp)
    return None if unicodedata.category(char)[0] in "CZ" else char


def strip_comments(text: str) -> str:
    return re.sub(r"//[^\n]*|/\*.*?\*/", "", text, flags=re.S)


def sections(path: Path) -> tuple[dict[str, str], str]:
    """Variant name -> body of one symbols file, and the default variant."""
    text = strip_comments(path.read_text())
    bodies: dict[str, str] = {}
    flagged: list[str] = []
    for match in SECTION.finditer(text):
        depth, i = 1, match.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        bodies[match.group(2)] = text[match.end() : i - 1]
        if "default" in match.group(1).split():
            flagged.append(match.group(2))
    # xkbcomp takes the section marked ``default``, else the first one.
    return bodies, (flagged or list(bodies))[0]


def key_levels(content: str) -> list[str | None]:
    """Keysym names of group 1 of one key definition (None where NoSymbol)."""
    explicit = re.search(r"symbols\[Group1\]\s*=\s*\[([^\]]*)\]", content, flags=re.I)
    if explicit:
        inner = explicit.group(1)
    else:
        rest = re.sub(r"\w+\[\w+\]\s*=\s*(\"[^\"]*\"|\[[^\]]*\])", "", content)
        bare = re.search(r"\[([^\]]*)\]", rest)
        if not bare:
            return []
        inner = bare.group(1)
    names = [name.strip() for name in inner.split(",")]
    return [None if name == "NoSymbol" else name for name in names]


class Resolver:
    """Resolves a layout to key name -> level keysym names, following includes."""

    def __init__(self, symbols: Path) -> None:
        self.symbols = symbols
        self.cache: dict[str, tuple[dict[str, str], str]] = {}

    def file(self, name: str) -> tuple[dict[str, str], str]:
        if name not in self.cache:
            self.cache[name] = sections(self.symbols / name)
        return self.cache[name]

    def resolve(self, spec: str) -> dict[str, list[str | None]]:
        keys: dict[str, list[str | None]] = {}
        for part in re.split(r"(?=[+|])", spec):
            mode = "augment" if part.startswith("|") else "override"
            sub = re.fullmatch(r"[+|]?([\w/-]+)(?:\(([\w-]+)\))?(?::\d+)?", part)
            if not sub:
                raise ValueError(f"cannot parse xkb include {spec!r}")
            merge(keys, self.variant(sub.group(1), sub.group(2)), mode)
        return keys

    def variant(self, file: str, variant: str | None) -> dict[str, list[str | None]]:
        bodies, default = self.file(file)
        body = bodies[variant or default]
        keys: dict[str, list[str | None]] = {}
        for match in re.finditer(f"{INCLUDE.pattern}|{KEY_DEF.pattern}", body):
            if match.group(2):
                mode = "augment" if match.group(1) == "augment" else "override"
                merge(keys, self.resolve(match.group(2)), mode)
            else:
                mode = (match.group(3) or "override").strip()
                merge(keys, {match.group(4): key_levels(match.group(5))}, mode)
        return keys


def merge(keys: dict[str, list[str | None]], new: dict[str, list[str | None]], mode: str) -> None:
    """Merge per level as xkbcomp does: NoSymbol keeps the old level, ``replace`` drops it."""
    for name, levels in new.items():
        old = [] if mode == "replace" else keys.get(name, [])
        width = max(len(old), len(levels))
        merged = []
        for i in range(width):
            o = old[i] if i < len(old) else None
            n = levels[i] if i < len(levels) else None
            merged.append((o or n) if mode == "augment" else (n or o))
        keys[name] = merged


def dubeolsik() -> dict[str, list[str | None]]:
    """Letter key -> keysym names of its plain and shifted 2-set jamo."""
    return {
        f"{row}{i:02d}": [f"U{ord(plain):04X}", f"U{ord(shifted):04X}"]
        for row, levels in DUBEOLSIK.items()
        for i, (plain, shifted) in enumerate(zip(*levels), 1)
    }


def position(name: str, iso: bool) -> tuple[int, float] | None:
    """Row index and horizontal key centre (in key widths) on a standard keyboard."""
    if name == "TLDE":
        return 0, 0.0
    if name == "LSGT":
        return 3, 1.25
    if name == "BKSL":
        return (2, 12.75) if iso else (1, 13.5)
    match = re.fullmatch(r"(AE|AD|AC|AB)(\d\d)", name)
    if not match:
        return None
    return ROWS.index(match.group(1)), int(match.group(2)) + ROW_OFFSET[match.group(1)]


def adjacent(a: tuple[int, float], b: tuple[int, float]) -> bool:
    (ra, xa), (rb, xb) = a, b
    if ra == rb:
        return abs(abs(xa - xb) - 1.0) < 1e-9
    return abs(ra - rb) == 1 and abs(xa - xb) < 1.0


def two_levels(names: list[str | None], keysyms: dict[str, int]) -> tuple[str | None, str | None]:
    """Plain and shifted character; a lone cased letter shifts to its capital as in xkb."""
    plain = keysym_char(names[0], keysyms) if names and names[0] else None
    shifted = keysym_char(names[1], keysyms) if len(names) > 1 and names[1] else None
    if shifted is None and len(names) < 2 and plain is not None:
        shifted = plain.upper() if len(plain.upper()) == 1 else plain
    return plain, shifted


def hiragana(char: str) -> str:
    """The hiragana twin of a katakana letter (same key in kana input), else the char itself."""
    return chr(ord(char) - 0x60) if "\u30a1" <= char <= "\u30f6" else char


def neighbours(
    keys: dict[str, list[str | None]], keysyms: dict[str, int], kana: bool
) -> dict[str, list[str]]:
    """Character -> sorted characters on the same level of adjacent keys."""
    placed: list[tuple[tuple[int, float], tuple[str | None, str | None]]] = []
    iso = any(two_levels(keys.get("LSGT", []), keysyms))
    for name, names in keys.items():
        pos = position(name, iso)
        if pos is not None:
            placed.append((pos, two_levels(names, keysyms)))
    table: dict[str, set[str]] = {}
    for pos, chars in placed:
        for level, char in enumerate(chars):
            if char is None:
                continue
            near = {other[level] for p, other in placed if adjacent(pos, p) and other[level] is not None}
            twins = {hiragana(c) for c in near} if kana else near
            if twins is near or hiragana(char) == char:
                # Keys without katakana sit next to both forms of a kana key.
                table.setdefault(char, set()).update((near | twins) - {char})
            else:
                table.setdefault(char, set()).update(near - {char})
                table.setdefault(hiragana(char), set()).update(twins - {hiragana(char)})
    return {char: sorted(near) for char, near in sorted(table.items())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--symbols", type=Path, default=SYMBOLS)
    parser.add_argument("--keysymdef", type=Path, default=KEYSYMDEF)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    keysyms = load_keysyms(args.keysymdef)
    resolver = Resolver(args.symbols)
    args.out.mkdir(parents=True, exist_ok=True)
    for lang, (file, variant, note) in sorted(LAYOUTS.items()):
        bodies, default = resolver.file(file)
        chosen = variant or default
        keys = resolver.variant(file, chosen)
        name = re.search(r"name\[Group1\]\s*=\s*\"([^\"]+)\"", bodies[chosen])
        layout = name.group(1) if name else f"{file}({chosen})"
        source = f"xkb-data symbols/{file}({chosen})"
        if lang == "ko":
            # Digits and punctuation stay those of kr; the letter keys type jamo.
            merge(keys, dubeolsik(), "override")
            layout, source = "Korean 2-set (dubeolsik)", f"KS X 5002 2-set on {source}"
        record = {
            "layout": layout,
            "source": source,
            "note": note,
            "neighbours": neighbours(keys, keysyms, kana=lang == "ja"),
        }
        if lang in IME:
            record["ime"] = IME[lang]
        text = json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        (args.out / f"{lang}.json").write_text(text, encoding="utf-8")
        print(f"{lang}: {record['source']} {len(record['neighbours'])} chars", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
