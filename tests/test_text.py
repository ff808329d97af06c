"""Grapheme clusters, scripts, words and the language table."""

from __future__ import annotations

import regex
from hypothesis import given
from hypothesis import strategies as st

from robustx.text import CHUNK_SIZE, LANGUAGES, char_script, grapheme_spans, graphemes, is_letter, words
from robustx.text.words import cuts_at_spaces, scan, token_words
from robustx.text.scripts import SCRIPTS

XTREME = (
    "af ar bg bn de el en es et eu fa fi fr he hi hu id it ja jv ka kk ko ml mr ms my nl pt ru sw ta te th tl tr ur vi yo zh"
)


def texts(word: str) -> list[str]:
    return ["".join(w.graphemes) for w in words(word)]


@given(st.text() | st.tuples(st.text(alphabet="aZq 1,.-\r\n"), st.text(alphabet="é\u0600\u0301\u0e33\u200d\u1100\u1161\uac00\U0001F1E6ж\n")).map("".join))
def test_graphemes_partition_the_text(text: str) -> None:
    clusters = graphemes(text)
    assert clusters == regex.findall(r"\X", text)  # the one-per-character shortcut changes nothing
    assert "".join(clusters) == text
    assert [text[a:b] for a, b in grapheme_spans(text)] == clusters


@given(st.text())
def test_words_are_letter_runs_on_cluster_boundaries(text: str) -> None:
    boundaries = {0} | {end for _, end in grapheme_spans(text)}
    previous_end = 0
    for word in words(text):
        assert previous_end <= word.start < word.end <= len(text)
        assert {word.start, word.end} <= boundaries
        assert text[word.start : word.end] == "".join(word.graphemes)
        assert all(is_letter(cluster[0]) for cluster in word.graphemes)
        assert len(word.graphemes) <= CHUNK_SIZE.get(word.script, len(word.graphemes))
        previous_end = word.end


ASCII = st.text(alphabet="aZq 1,.-\r\n", min_size=8, max_size=40)
RARE = st.text(alphabet="é\u0600\u0d4e\u0301\u0e33\u200dあー中жß", min_size=1, max_size=3)


@given(st.text() | st.tuples(ASCII, RARE, ASCII).map("".join))
def test_words_cut_at_ascii_agrees_with_the_full_scan(text: str) -> None:
    # Mostly-ASCII texts take the cut path, the others the full scan: both must agree.
    assert words(text) == scan(text)


# Texts cut at spaces: marks, joiners and prepended signs next to a space, spaces in runs.
SPACED = st.lists(st.text(alphabet="ab Zж中กำ\u0301\u200d\u0600\u0d4eക\u1100\u1161\U0001F1E6 ,", max_size=6), max_size=8).map(" ".join)


@given(st.text() | SPACED)
def test_words_of_tokens_are_the_words_of_the_text(text: str) -> None:
    if not cuts_at_spaces(text):
        return
    joined, offset = [], 0
    for token in text.split(" "):
        joined.extend(w._replace(start=w.start + offset, end=w.end + offset) for w in token_words(token))
        offset += len(token) + 1
    assert joined == words(text)


def test_where_a_text_cannot_be_cut_at_spaces() -> None:
    assert not cuts_at_spaces("a ൎ b")  # Malayalam dot reph clusters with the space after it
    assert not cuts_at_spaces("\u0301abc def")  # a leading mark would cluster with a space put before it
    assert cuts_at_spaces("a \u0301b ज़ि ok") and cuts_at_spaces("")
    # The mostly-ASCII shortcut of ``words`` must not cut a reph from the space it holds.
    text = "a long ascii sentence here ൎ and more text"
    assert words(text) == scan(text) and "ൎ " in texts(text)


def test_a_mark_after_an_ascii_character_clusters_with_it() -> None:
    assert texts("a long ascii sentence 0ำ and more") == ["a", "long", "ascii", "sentence", "and", "more"]
    assert texts("x\u0301yz and then Straße") == ["x\u0301yz", "and", "then", "Straße"]


def test_clusters_keep_marks_with_their_base() -> None:
    assert graphemes("किताब") == ["कि", "ता", "ब"]
    assert graphemes("ก่า") == ["ก่", "า"]
    assert graphemes("e\u0301") == ["e\u0301"]


def test_scripts() -> None:
    assert [char_script(c) for c in "aяα中あア한กक"] == [
        "Latin", "Cyrillic", "Greek", "Han", "Hiragana", "Katakana", "Hangul", "Thai", "Devanagari",
    ]  # fmt: skip
    assert char_script("ー") == "Common" and char_script(",") == "Common"
    assert char_script("\u0301") == "Inherited"
    assert char_script("Ⰰ") == "Other"  # Glagolitic is not listed


def test_spaced_words() -> None:
    assert texts("Zwei Männer, don't COVID19!") == ["Zwei", "Männer", "don", "t", "COVID"]
    assert texts("Tokyo東京") == ["Tokyo", "東京"]
    assert texts("नमस्ते दुनिया") == ["नमस्ते", "दुनिया"]
    assert [w.script for w in words("Привет мир")] == ["Cyrillic", "Cyrillic"]


def test_unspaced_words_are_chunks() -> None:
    assert texts("中华人民共和国") == ["中华", "人民", "共和", "国"]
    assert texts("フォー・リバー地方議会とオーデュボン") == ["フォー", "リバー", "地方", "議会", "と", "オーデュ", "ボン"]
    thai = words("ฉันไม่ได้คิดอะไร")
    assert ["".join(w.graphemes) for w in thai] == ["ฉันไม่", "ได้คิด", "อะไร"]
    assert all(len(w.graphemes) == 4 for w in thai[:-1])


def test_language_table() -> None:
    assert sorted(LANGUAGES) == XTREME.split()
    for code, language in LANGUAGES.items():
        assert language.code == code and language.scripts
        assert set(language.scripts) <= set(SCRIPTS)
    assert LANGUAGES["ja"].scripts == ("Han", "Hiragana", "Katakana")
