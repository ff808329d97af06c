"""robustx.metrics: hand-verified cases (the arithmetic is in the comments), the official
scripts' behaviour, a live cross-check against seqeval, and numbers pinned from running the
official QA scripts and XTREME's BUCC code (faiss) on the offline data."""

from __future__ import annotations

import hashlib
import json
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from robustx.errors import RobustxError
from robustx.metrics import mining, qa, tagging
from robustx.metrics.mining import PairScores, Sentences
from robustx.metrics.qa import QAScore
from robustx.metrics.tagging import PRF, EntityCounts, TokenCounts


def prf(result) -> tuple[float, float, float]:
    return result.precision, result.recall, result.f1


# -- tagging: token accuracy ---------------------------------------------------------------

def test_token_accuracy_sums_parts_instead_of_averaging_sentences():
    parts = [tagging.token_counts(["NOUN", "VERB", "DET"], ["NOUN", "NOUN", "DET"]),   # 2 of 3
             tagging.token_counts(["X"], ["X"])]                                      # 1 of 1
    assert parts == [TokenCounts(2, 3), TokenCounts(1, 1)]
    # 3 / 4 = 75 %, not the mean of per-sentence accuracies (2/3 + 1) / 2 = 83.3 %
    assert tagging.token_accuracy(parts) == 75.0


def test_token_accuracy_bad_input():
    with pytest.raises(RobustxError, match="3 tags but the prediction has 2"):
        tagging.token_counts(["A", "B", "C"], ["A", "B"])
    with pytest.raises(RobustxError, match="without tokens"):
        tagging.token_accuracy([TokenCounts(0, 0)])


# -- tagging: entities (seqeval default mode) ------------------------------------------------

@pytest.mark.parametrize("tags, expected", [
    # plain BIO
    (["B-PER", "I-PER", "O", "B-LOC"], {("PER", 0, 1), ("LOC", 3, 3)}),
    # IOB1-style: an I- after O (or at the start) starts an entity
    (["I-PER", "I-PER", "O", "I-LOC"], {("PER", 0, 1), ("LOC", 3, 3)}),
    # a type change ends the entity even without B-: B-PER I-LOC I-LOC is PER then LOC
    (["B-PER", "I-LOC", "I-LOC"], {("PER", 0, 0), ("LOC", 1, 2)}),
    # B- after B- of the same type: two entities
    (["B-ORG", "B-ORG"], {("ORG", 0, 0), ("ORG", 1, 1)}),
    # E- closes, S- is one token, an I- after E- starts again
    (["S-PER", "B-LOC", "E-LOC", "I-LOC"], {("PER", 0, 0), ("LOC", 1, 2), ("LOC", 3, 3)}),
    # an entity that runs to the end of the sentence
    (["O", "B-MISC", "I-MISC"], {("MISC", 1, 2)}),
    (["O", "O", "O"], set()),
    ([], set()),
])
def test_entities_hand_cases(tags, expected):
    assert tagging.entities(tags) == expected


def test_entity_scores_from_summed_counts():
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["O", "O"], ["B-MISC"], ["B-LOC", "I-LOC"]]
    pred = [["B-PER", "O", "O", "B-LOC"], ["O", "O"], ["O"], ["B-LOC", "I-LOC"]]
    parts = [tagging.entity_counts(g, p) for g, p in zip(gold, pred)]
    # 1: gold PER 0-1, LOC 3; predicted PER 0-0 (boundary wrong), LOC 3 -> 1 right of 2 and 2
    # 2: all O in both; 3: a gold MISC, nothing predicted; 4: exact
    assert parts == [EntityCounts(1, 2, 2), EntityCounts(0, 0, 0), EntityCounts(0, 0, 1), EntityCounts(1, 1, 1)]
    # tp 2, predicted 3, gold 4: P = 2/3, R = 1/2, F1 = 2 (2/3)(1/2) / (2/3 + 1/2) = 4/7
    assert prf(tagging.entity_scores(parts)) == pytest.approx((200 / 3, 50.0, 400 / 7))


def test_entity_scores_without_entities_are_zero():
    nothing_predicted = [tagging.entity_counts(["B-PER", "I-PER"], ["O", "O"])]
    assert prf(tagging.entity_scores(nothing_predicted)) == (0.0, 0.0, 0.0)
    no_entities = [tagging.entity_counts(["O"], ["O"])]
    assert prf(tagging.entity_scores(no_entities)) == (0.0, 0.0, 0.0)
    wrong_type = [tagging.entity_counts(["B-PER"], ["B-ORG"])]   # same span, other type: not a match
    assert tagging.entity_scores(wrong_type) == PRF(0.0, 0.0, 0.0)


def test_entity_bad_input():
    with pytest.raises(RobustxError, match="2 tags but the prediction has 1"):
        tagging.entity_counts(["B-PER", "O"], ["O"])
    with pytest.raises(RobustxError, match="'PER' is not a BIO tag"):
        tagging.entity_counts(["PER"], ["O"])
    with pytest.raises(RobustxError, match="'' is not a BIO tag"):
        tagging.entity_counts(["O"], [""])


# -- tagging: seqeval's corpus F1 (XTREME's UD-POS number) -----------------------------------

def test_seqeval_scores_reads_pos_tags_as_chunks():
    # NOUN = prefix N, type OUN; runs of one tag are one chunk. gold {OUN 0-1, ERB 2-2},
    # predicted {OUN 0-0, ERB 1-2}: no chunk right, although 2 of 3 tokens are
    assert prf(tagging.seqeval_scores([["NOUN", "NOUN", "VERB"]], [["NOUN", "VERB", "VERB"]])) == (0.0, 0.0, 0.0)
    assert tagging.token_accuracy([tagging.token_counts(["NOUN", "NOUN", "VERB"], ["NOUN", "VERB", "VERB"])]) \
        == pytest.approx(200 / 3)


def test_seqeval_scores_chunks_cross_sentences():
    # Flattened gold: VERB X | O | X ADJ | O. X (prefix X, type "_") is not ended by the "O"
    # between sentences (same type "_"), so gold chunks are {ERB 0-0, _ 1-3, DJ 4-4}.
    # Predicted VERB X | O | NOUN ADJ: the X chunk is never closed (the O before NOUN ends
    # nothing), so {ERB 0-0, OUN 3-3, DJ 4-4}: 2 of 3 right each way.
    gold = [["VERB", "X"], ["X", "ADJ"]]
    pred = [["VERB", "X"], ["NOUN", "ADJ"]]
    assert prf(tagging.seqeval_scores(gold, pred)) == pytest.approx((200 / 3, 200 / 3, 200 / 3))


def test_seqeval_scores_bad_input():
    with pytest.raises(RobustxError, match="2 sentences but the predictions have 1"):
        tagging.seqeval_scores([["O"], ["O"]], [["O"]])
    with pytest.raises(RobustxError, match="sentence 1: gold has 2 tags"):
        tagging.seqeval_scores([["O"], ["O", "O"]], [["O"], ["O"]])
    with pytest.raises(RobustxError, match="empty tag"):
        tagging.seqeval_scores([["O"]], [[""]])


BIO = st.sampled_from(["O", "O", "O", "B-PER", "I-PER", "B-LOC", "I-LOC", "I-ORG", "E-PER", "S-LOC", "B", "I"])
ANY_TAG = st.sampled_from(["O", "NOUN", "VERB", "X", "SCONJ", "SYM", "INTJ", "PUNCT", "ADP", "ADV", "B-PER", "I-PER",
                           ".", "E", "S-", "O-X", "PROPN"])


def corpora(tags):
    sentence = st.lists(tags, min_size=0, max_size=7)
    return st.lists(sentence, min_size=1, max_size=6).flatmap(
        lambda gold: st.tuples(st.just(gold), st.tuples(*[st.lists(tags, min_size=len(s), max_size=len(s))
                                                          for s in gold]).map(list)))


@pytest.fixture(scope="module")
def seqeval_prf():
    """seqeval's micro P/R/F1 ×100 (it warns about non-BIO tags and undefined ratios: silenced)."""
    sq = pytest.importorskip("seqeval.metrics")

    def score(gold, pred):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return 100 * sq.precision_score(gold, pred), 100 * sq.recall_score(gold, pred), 100 * sq.f1_score(gold, pred)
    return score


@settings(max_examples=300, deadline=None)
@given(corpus=corpora(BIO))
def test_entity_scores_equal_seqeval(seqeval_prf, corpus):
    gold, pred = corpus
    expected = seqeval_prf(gold, pred)
    assert prf(tagging.entity_scores(tagging.entity_counts(g, p) for g, p in zip(gold, pred))) == expected
    assert prf(tagging.seqeval_scores(gold, pred)) == expected


@settings(max_examples=300, deadline=None)
@given(corpus=corpora(ANY_TAG))
def test_seqeval_scores_equal_seqeval_for_any_tags(seqeval_prf, corpus):
    gold, pred = corpus
    assert prf(tagging.seqeval_scores(gold, pred)) == seqeval_prf(gold, pred)


def read_panx(path) -> list[list[str]]:
    sentences, current = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line:
            current.append(line.split("\t")[-1])
        elif current:
            sentences.append(current)
            current = []
    return sentences + ([current] if current else [])


@pytest.mark.parametrize("lang", ["de", "zh"])
def test_panx_entity_scores_equal_seqeval(shared_data, seqeval_prf, lang):
    gold = read_panx(shared_data / "panx" / f"{lang}.tsv")[:2000]
    labels = sorted({t for s in gold for t in s})
    rng = np.random.default_rng(0)
    pred = [[labels[rng.integers(len(labels))] if rng.random() < 0.1 else t for t in s] for s in gold]
    ours = tagging.entity_scores(tagging.entity_counts(g, p) for g, p in zip(gold, pred))
    assert 0 < ours.f1 < 100
    assert prf(ours) == seqeval_prf(gold, pred)


# -- QA: SQuAD v1.1 ---------------------------------------------------------------------------

def test_squad_normalization_as_the_official_script():
    assert qa.squad_normalize("The Cat!") == "cat"
    assert qa.squad_score("The Cat!", ["cat"]) == QAScore(1.0, 1.0)
    # articles only as whole words; punctuation is ASCII string.punctuation only
    assert qa.squad_normalize("  An  anthem of THE theatre.") == "anthem of theatre"
    assert qa.squad_normalize("«Paris»") == "«paris»"
    assert qa.squad_score("«Paris»", ["Paris"]).exact_match == 0.0
    # hyphens are punctuation and are deleted, not split on
    assert qa.squad_normalize("state-of-the-art") == "stateoftheart"


def test_squad_f1_max_over_gold_answers():
    # pred tokens [big, red, dog], gold [red, dog, barked]: 2 common, P = R = 2/3, F1 = 2/3
    assert qa.squad_score("the big red dog", ["red dog barked"]) == pytest.approx(QAScore(0.0, 2 / 3))
    # the second gold answer matches exactly: EM and F1 take the best over answers
    assert qa.squad_score("the big red dog", ["red dog barked", "Big red dog."]) == QAScore(1.0, 1.0)
    # repeated tokens count by multiset: pred [dog, dog], gold [dog]: 1 common, P 1/2, R 1, F1 2/3
    assert qa.squad_score("dog dog", ["dog"]).f1 == pytest.approx(2 / 3)
    # an empty prediction: F1 0; both empty after normalization: EM 1 but F1 0 (as the script)
    assert qa.squad_score("", ["dog"]) == QAScore(0.0, 0.0)
    assert qa.squad_score("the", ["a"]) == QAScore(1.0, 0.0)


def test_corpus_scores_mean_times_100_with_the_scripts_plain_sums():
    scores = [QAScore(1.0, 1.0), QAScore(0.0, 0.5), QAScore(0.0, 0.0)]
    assert corpus(scores) == pytest.approx((100 / 3, 50.0))
    # the scripts add left to right: ten 0.1s sum to 0.9999999999999999, not 1 (math.fsum,
    # or sum() on Python 3.12+, would give exactly 10.0)
    assert qa.corpus_scores([QAScore(0.0, 0.1)] * 10).f1 == 100.0 * 0.9999999999999999 / 10 != 10.0
    with pytest.raises(RobustxError, match="empty set of questions"):
        qa.corpus_scores([])


def corpus(scores) -> tuple[float, float]:
    result = qa.corpus_scores(scores)
    return result.exact_match, result.f1


def test_qa_bad_input():
    with pytest.raises(RobustxError, match="without gold answers"):
        qa.squad_score("x", [])
    with pytest.raises(RobustxError, match="unknown MLQA answer language 'fr'"):
        qa.mlqa_score("x", ["x"], "fr")
    with pytest.raises(RobustxError, match="unknown MLQA answer language 'EN'"):
        qa.mlqa_normalize("x", "EN")


# -- QA: MLQA ---------------------------------------------------------------------------------

def test_mlqa_chinese_characters_are_tokens():
    assert qa.mixed_segmentation("2008年北京 iPhone") == ["2008", "年", "北", "京", "iPhone"]
    assert qa.mixed_segmentation("北京,ok go") == ["北", "京", ",", "ok", "go"]   # punctuation alone too
    # CJK punctuation is removed first, Latin runs stay whole
    assert qa.mlqa_normalize("“北京大学”，iPhone 手机", "zh") == "北 京 大 学 iphone 手 机"
    # pred [北 京 大 学], gold [北 京]: 2 common, P = 2/4, R = 2/2, F1 = 2 (1/2)(1) / (3/2) = 2/3
    assert qa.mlqa_score("北京大学", ["北京"], "zh") == pytest.approx(QAScore(0.0, 2 / 3))
    # SQuAD's normalization keeps the whole answer as one token: no partial credit
    assert qa.squad_score("北京大学", ["北京"]) == QAScore(0.0, 0.0)


def test_mlqa_articles_by_answer_language():
    assert qa.mlqa_normalize("Die Katze und das Haus", "de") == "katze und haus"
    assert qa.mlqa_score("der Hund", ["Hund"], "de") == QAScore(1.0, 1.0)
    # the same strings under English rules: "der" stays, pred [der, hund] vs [hund]: F1 2/3
    assert qa.mlqa_score("der Hund", ["Hund"], "en") == pytest.approx(QAScore(0.0, 2 / 3))
    assert qa.mlqa_score("los perros", ["perros"], "es") == QAScore(1.0, 1.0)
    assert qa.mlqa_normalize("cái bàn của tôi", "vi") == "bàn tôi"
    assert qa.mlqa_normalize("a cat", "hi") == "a cat"   # no articles in hi (nor zh)


def test_mlqa_arabic_removes_al_everywhere():
    # the script's pattern replaces every "ال" with a space, inside words too
    assert qa.mlqa_normalize("الكتاب", "ar") == "كتاب"
    assert qa.mlqa_normalize("مالك", "ar") == "م ك"
    assert qa.mlqa_score("الكتاب", ["كتاب"], "ar") == QAScore(1.0, 1.0)


def test_mlqa_punctuation_is_unicode():
    assert {"«", "»", "،", "。", "¿", "!", "-"} <= qa.mlqa_punctuation()
    assert "$" in qa.mlqa_punctuation()          # string.punctuation joins the P categories (S* otherwise)
    assert qa.mlqa_score("«Paris»", ["Paris"], "en") == QAScore(1.0, 1.0)
    assert qa.mlqa_normalize("¿Qué?", "es") == "qué"


def squad_questions(path):
    """(id, context, first answer start, first answer text, all answers) of a SQuAD-format file."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    for article in data:
        for paragraph in article["paragraphs"]:
            for q in paragraph["qas"]:
                first = q["answers"][0]
                yield paragraph["context"], first["answer_start"], first["text"], [a["text"] for a in q["answers"]]


def shaped_predictions(path):
    """Deterministic predictions: the answer shouted, a window around it, its left half with 5 characters before."""
    for i, (context, start, text, answers) in enumerate(squad_questions(path)):
        end = start + len(text)
        pred = (text.upper() + ".", context[max(0, start - 8):end + 8], context[max(0, start - 5):start + len(text) // 2])
        yield pred[i % 3], answers


# Printed by XTREME's third_party/evaluate_squad.py and MLQA's mlqa_evaluation_v1.py on the same predictions.
OFFICIAL_SQUAD = {"en": (33.36134453781513, 60.87416306550633), "zh": (33.36134453781513, 45.46180896601062),
                  "ar": (33.36134453781513, 60.75769964660445)}
OFFICIAL_MLQA = {"en": (33.362369337979096, 60.646116688067266), "es": (33.2, 63.40551750758932),
                 "de": (32.8125, 60.48452576878313), "vi": (33.46379647749511, 65.47312889602638),
                 "zh": (33.333333333333336, 58.25889710796091), "ar": (33.65570599613153, 62.10048702562119),
                 "hi": (33.333333333333336, 59.795563812305936)}


@pytest.mark.parametrize("lang", sorted(OFFICIAL_SQUAD))
def test_xquad_equals_official_squad_script(shared_data, lang):
    path = shared_data / "xquad" / f"xquad.{lang}.json"
    assert corpus(qa.squad_score(p, a) for p, a in shaped_predictions(path)) == OFFICIAL_SQUAD[lang]


@pytest.mark.parametrize("lang", sorted(OFFICIAL_MLQA))
def test_mlqa_equals_official_mlqa_script(shared_data, lang):
    path = shared_data / "mlqa" / "dev" / f"dev-context-{lang}-question-{lang}.json"
    assert corpus(qa.mlqa_score(p, a, lang) for p, a in shaped_predictions(path)) == OFFICIAL_MLQA[lang]


# -- mining -----------------------------------------------------------------------------------

def tiny_embeddings() -> tuple[np.ndarray, np.ndarray]:
    """Sources e0, e1, e2 (4-d); targets chosen so that cos(x_i, y_j) = C[i, j] below."""
    cos = np.array([[0.6, 0.1, 0.0],
                    [0.5, 0.4, 0.1],
                    [0.5, 0.0, 0.3]])
    x = np.eye(3, 4)
    y = np.column_stack([cos.T, np.sqrt(1 - (cos ** 2).sum(axis=0))])   # unit rows
    return x, y


def test_ratio_margin_hand_computed():
    # k = 2. Mean of each source's 2 nearest cosines: x0 (0.6+0.1)/2 = 0.35, x1 (0.5+0.4)/2 = 0.45,
    # x2 (0.5+0.3)/2 = 0.40; of each target's: y0 (0.6+0.5)/2 = 0.55, y1 0.25, y2 0.20.
    # margin(x, y) = cos / ((mean_x + mean_y) / 2). Forward, among each source's 2 nearest:
    #   x0: y0 0.6/0.45 = 4/3,  y1 0.1/0.30 = 1/3           -> y0, 4/3
    #   x1: y0 0.5/0.50 = 1,    y1 0.4/0.35 = 8/7           -> y1, 8/7 (cosine alone says y0)
    #   x2: y0 0.5/0.475 = 20/19, y2 0.3/0.30 = 1           -> y0, 20/19
    # Backward: y0: x0 4/3 (x1 1) -> x0; y1: x1 8/7 -> x1; y2: x2 0.3/0.3 = 1 (x1 0.1/0.325) -> x2.
    # By descending margin: (x0,y0) 4/3, (x1,y1) 8/7, (x2,y0) 20/19 is skipped (y0 taken),
    # (x2,y2) 1 is kept.
    x, y = tiny_embeddings()
    src, trg, score = mining.mine_indices(x, y, k=2)
    assert src.tolist() == [0, 1, 2] and trg.tolist() == [0, 1, 2]
    assert score == pytest.approx([4 / 3, 8 / 7, 1.0], rel=1e-6)


def test_margin_neighbourhood_is_clamped_to_the_other_side():
    # k = 4 with 3 targets uses all 3 (min(y.shape[0], neighborhood)): the means are of whole
    # rows and columns, x: 0.7/3, 1/3, 0.8/3; y: 1.6/3, 0.5/3, 0.4/3. Best margins:
    #   x1-y1 0.4 / ((1/3 + 0.5/3) / 2) = 1.6   (x1-y0 only 0.5 / (2.6/6) = 15/13)
    #   x0-y0 0.6 / ((0.7/3 + 1.6/3) / 2) = 36/23
    #   x2-y2 0.3 / ((0.8/3 + 0.4/3) / 2) = 1.5  (x2-y0 only 0.5 / 0.4 = 1.25)
    x, y = tiny_embeddings()
    src, trg, score = mining.mine_indices(x, y)
    assert src.tolist() == [1, 0, 2] and trg.tolist() == [1, 0, 2]
    assert score == pytest.approx([1.6, 36 / 23, 1.5], rel=1e-6)
    assert score == pytest.approx(mining.mine_indices(x, y, k=3)[2])


def test_forward_candidate_kept_when_its_targets_best_source_is_taken():
    # k = 1; x0 = e0, x1 = e1; y0 = e0, y1 = (0.8, 0.6). Means: x0 1, x1 0.6; y0 1, y1 0.8.
    # Forward: x0-y0 1 / 1 = 1; x1-y1 0.6 / ((0.6 + 0.8) / 2) = 6/7. Backward: y0-x0 1,
    # y1-x0 0.8 / ((0.8 + 1) / 2) = 8/9, skipped (x0 taken); then the forward x1-y1 is kept.
    src, trg, score = mining.mine_indices(np.eye(2), np.array([[1.0, 0.0], [0.8, 0.6]]), k=1)
    assert src.tolist() == [0, 1] and trg.tolist() == [0, 1]
    assert score == pytest.approx([1.0, 6 / 7], rel=1e-6)


def test_a_zero_margin_is_not_written():
    # k = 1; x0 = e0, x1 = e2 (orthogonal to both targets); y0 = (e0 + e1)/√2, y1 = e0.
    # x0-y1 margin 1; y0's best source is x0 (0.71 / ((0.71 + 1) / 2) = 0.83, skipped);
    # x1-y0 (both still free) has margin 0 / ((0 + 0.71) / 2) = 0: XTREME writes only > 0
    y = np.array([[1.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    src, trg, score = mining.mine_indices(np.eye(3)[[0, 2]], y, k=1)
    assert src.tolist() == [0] and trg.tolist() == [1] and score == pytest.approx([1.0])


def test_mining_is_invariant_to_embedding_scale_and_writes_only_positive_margins():
    x, y = tiny_embeddings()
    assert mining.mine_indices(5 * x, 0.1 * y, k=2)[2] == pytest.approx(mining.mine_indices(x, y, k=2)[2], rel=1e-6)
    # A fourth source, slightly negative to every target (cosines about -0.04, -0.09, -0.09,
    # so its 2-mean is about -0.06 while the targets' are 0.55, 0.25, 0.20): every margin of
    # it is negative, it is not written, and the other pairs stay as they were.
    x5, y5 = np.pad(x, ((0, 0), (0, 1))), np.pad(y, ((0, 0), (0, 1)))
    x_neg = np.vstack([x5, [0, 0, 0, -0.1, 1]])
    src, trg, score = mining.mine_indices(x_neg, y5, k=2)
    assert src.tolist() == [0, 1, 2] and trg.tolist() == [0, 1, 2]
    assert score == pytest.approx([4 / 3, 8 / 7, 1.0], rel=1e-6)


def test_mine_maps_texts_to_ids_as_xtreme():
    # k = 1, targets t0..t3 = e0..e3. Distinct texts: s0 (e1) pairs with t1 and s2 (e0) with
    # t0, margin 1 each; s1 (0.95 e0 + 0.32 e1) loses t0 to s2 and its other candidates
    # score 0 (not written).
    x, y = np.eye(3, 4), np.eye(4)
    emb = np.array([x[1], 0.9 * y[0] + 0.3 * y[1], y[0]])
    targets = Sentences(["t0", "t1", "t2", "t3"], ["x", "u", "v", "w"], y)
    assert mining.mine(Sentences(["s0", "s1", "s2"], ["a", "b", "c"], emb), targets, k=1) \
        == pytest.approx({("s0", "t1"): 1.0, ("s2", "t0"): 1.0})
    # s0 and s2 both read "a": mined once with the LAST one's embedding (e0), so "a" takes t0;
    # "b" keeps its backward candidate t1 (0.32 / ((0.32 + 0.95) / 2) = 1/2); the text "a"
    # has no id (read_sent2id drops repeated texts), so only s1-t1 remains. Had the first
    # embedding (e1) been used, "a" would take t1 and the result would be s1-t0.
    repeated = mining.mine(Sentences(["s0", "s1", "s2"], ["a", "b", "a"], emb), targets, k=1)
    assert repeated == pytest.approx({("s1", "t1"): 0.5})
    # targets "x" and " x " are two sentences when mined but the same text after strip: no id
    stripped = Sentences(targets.ids, ["x", "u", "v", " x "], y)
    assert set(mining.mine(Sentences(["s0", "s1", "s2"], ["a", "b", "c"], emb), stripped, k=1)) == {("s0", "t1")}


def test_best_threshold_maximizes_f1_like_bucc_optimize():
    candidates = {("e", "E"): 0.5, ("a", "A"): 0.9, ("c", "C"): 0.7, ("g", "G"): 0.4, ("b", "B"): 0.8,
                  ("d", "D"): 0.6}
    gold = {("a", "A"), ("c", "C"), ("e", "E"), ("f", "F")}   # f-F is never mined
    # by descending score, F1 after each candidate (4 gold): a .4, b 1/3, c 4/7, d .5,
    # e 2(3/5)(3/4)/(27/20) = 2/3, g .6 -> best after e: threshold (0.5 + 0.4) / 2
    assert mining.best_threshold(candidates, gold) == pytest.approx(0.45)
    mined = mining.extract(candidates, 0.45)
    assert mined == {("a", "A"), ("b", "B"), ("c", "C"), ("d", "D"), ("e", "E")}
    # 3 of 5 right, 3 of 4 found: P 60, R 75, F1 2(.6)(.75)/1.35 = 2/3
    assert prf(mining.pair_scores(mined, gold)) == pytest.approx((60.0, 75.0, 200 / 3))
    # a threshold is applied with >=
    assert mining.extract(candidates, 0.7) == {("a", "A"), ("b", "B"), ("c", "C")}


def test_best_threshold_edges():
    # best F1 reached only at the last candidate: XTREME's bucc_optimize reads past the end; we use its score
    assert mining.best_threshold({("a", "A"): 0.9, ("b", "B"): 0.8}, {("b", "B")}) == 0.8
    assert mining.best_threshold({("a", "A"): 0.9}, {("b", "B")}) == 0.0   # nothing right: bucc_optimize's 0
    assert mining.best_threshold({}, {("b", "B")}) == 0.0
    # equal F1 at two cuts: the first (higher) one is kept. 2 gold: after a P 1, R 1/2, F1 2/3;
    # after d P 2/4, R 1, F1 2/3 again -> (0.9 + 0.8) / 2, not (0.6 + 0.5) / 2
    tie = {("a", "A"): 0.9, ("b", "B"): 0.8, ("c", "C"): 0.7, ("d", "D"): 0.6, ("e", "E"): 0.5}
    assert mining.best_threshold(tie, {("a", "A"), ("d", "D")}) == pytest.approx(0.85)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.booleans(), min_size=2, max_size=30), st.integers(0, 5))
def test_best_threshold_is_the_best_cut(is_gold, unmined_gold):
    scores = np.linspace(2.0, 1.0, len(is_gold))
    candidates = {(str(i), str(i)): float(s) for i, s in enumerate(scores)}
    gold = {(str(i), str(i)) for i, g in enumerate(is_gold) if g} | {(f"u{i}", "u") for i in range(unmined_gold)}
    best = max(mining.pair_scores(mining.extract(candidates, float(s)), gold).f1 for s in scores)
    chosen = mining.pair_scores(mining.extract(candidates, mining.best_threshold(candidates, gold)), gold).f1
    assert chosen == pytest.approx(best)   # 0 when no candidate is gold


def test_pair_scores_hand_and_empty():
    gold = {("1", "a"), ("2", "b"), ("5", "e")}
    predicted = {("1", "a"), ("2", "b"), ("3", "c"), ("4", "x")}
    # 2 right: P 2/4, R 2/3, F1 2(1/2)(2/3)/(7/6) = 4/7
    assert prf(mining.pair_scores(predicted, gold)) == pytest.approx((50.0, 200 / 3, 400 / 7))
    assert mining.pair_scores(set(), gold) == PairScores(0.0, 0.0, 0.0)
    assert mining.pair_scores({("9", "z")}, gold) == PairScores(0.0, 0.0, 0.0)


def test_mining_bad_input():
    with pytest.raises(RobustxError, match="2 ids, 1 texts"):
        Sentences(["a", "b"], ["x"], np.zeros((2, 3)))
    with pytest.raises(RobustxError, match="NaN"):
        Sentences(["a"], ["x"], np.array([[np.nan, 1.0]]))
    with pytest.raises(RobustxError, match="ids must be unique"):
        Sentences(["a", "a"], ["x", "y"], np.ones((2, 3)))
    with pytest.raises(RobustxError, match="at least one sentence"):
        Sentences([], [], np.zeros((0, 3)))
    with pytest.raises(RobustxError, match="at least 1, not 0"):
        mining.mine_indices(np.eye(2), np.eye(2), k=0)
    with pytest.raises(RobustxError, match=r"shapes \(2, 2\) and \(2, 3\)"):
        mining.mine_indices(np.eye(2), np.eye(2, 3))


def bucc_synthetic_embeddings(zh_ids, en_ids, gold, seed=0, dim=64):
    """Random sentence embeddings; each gold zh sentence is its English pair plus noise, 300 zh distractors too."""
    rng = np.random.default_rng(seed)
    y = rng.standard_normal((len(en_ids), dim)).astype(np.float32)
    x = rng.standard_normal((len(zh_ids), dim)).astype(np.float32)
    zh_row = {i: r for r, i in enumerate(zh_ids)}
    en_row = {i: r for r, i in enumerate(en_ids)}
    for s, t in sorted(gold):
        x[zh_row[s]] = y[en_row[t]] + rng.uniform(0, 1.2) * rng.standard_normal(dim)
    for r in rng.choice(len(zh_ids), 300, replace=False):
        x[r] = y[rng.integers(len(en_ids))] + 1.5 * rng.standard_normal(dim)
    return x, y


def read_bucc(path) -> tuple[list[str], list[str]]:
    rows = [line.split("\t", 1) for line in path.read_text(encoding="utf-8").splitlines()]
    return [r[0] for r in rows], [r[1] for r in rows]


# XTREME's mine_bitext + bucc_eval (faiss 1.15.1) on the BUCC zh-en dev texts with bucc_synthetic_embeddings.
XTREME_BUCC = {"threshold": 1.3378244042396545, "precision": 90.11857707509881, "recall": 88.715953307393,
               "f1": 89.41176470588235, "candidates": 7802, "score_sum": 8448.749210298061,
               "pairs_sha256": "d4ed23a6cb0ee6ad6e6de86d6a78d67a98847fc88461d31306c190e14074058f"}


def test_bucc_dev_equals_xtreme(shared_data):
    folder = shared_data / "bucc2018"
    zh_ids, zh_texts = read_bucc(folder / "zh-en.dev.zh")
    en_ids, en_texts = read_bucc(folder / "zh-en.dev.en")
    gold = {tuple(line.split("\t")) for line in (folder / "zh-en.dev.gold").read_text().splitlines()}
    x, y = bucc_synthetic_embeddings(zh_ids, en_ids, gold)
    candidates = mining.mine(Sentences(zh_ids, zh_texts, x), Sentences(en_ids, en_texts, y))
    threshold = mining.best_threshold(candidates, gold)
    assert len(candidates) == XTREME_BUCC["candidates"]
    pairs = "\n".join(sorted(f"{s}\t{t}" for s, t in candidates))
    assert hashlib.sha256(pairs.encode()).hexdigest() == XTREME_BUCC["pairs_sha256"]   # the very same pairs
    assert sum(sorted(candidates.values())) == pytest.approx(XTREME_BUCC["score_sum"], rel=1e-6)
    assert threshold == pytest.approx(XTREME_BUCC["threshold"], rel=1e-6)
    scores = mining.pair_scores(mining.extract(candidates, threshold), gold)
    assert prf(scores) == (XTREME_BUCC["precision"], XTREME_BUCC["recall"], XTREME_BUCC["f1"])


@pytest.mark.parametrize("text, first", [
    ("One. Two.", "One."),
    ("Wer? Ich!", "Wer?"),
    ("第一句。第二句。", "第一句。"),
    ("पहला वाक्य। दूसरा।", "पहला वाक्य।"),
    ("هل؟ نعم.", "هل؟"),
    ("یہ پہلا ہے۔ دوسرا", "یہ پہلا ہے۔"),
    ("no end", "no end"),
])
def test_first_sentence_ends_at_the_stop_of_each_script(text, first):
    from robustx.metrics.baselines import first_sentence

    assert first_sentence(text) == first


def test_the_most_frequent_tag_baseline_is_a_constant_per_language_with_ties_by_name():
    from robustx.metrics.baselines import BASELINES
    from robustx.tasks import TASKS
    from robustx.tasks.base import Example, Span

    def sentence(i, tags):
        return Example(f"en-{i}", "en", {"sentence": " ".join("w" for _ in tags)},
                       spans=tuple(Span("sentence", 2 * j, 2 * j + 1, t) for j, t in enumerate(tags)))

    examples = [sentence(0, ["NOUN", "VERB"]), sentence(1, ["VERB", "NOUN", "ADJ"])]
    predict = BASELINES.get("tagging:accuracy").predict
    assert predict(TASKS.get("udpos")(), examples) == [["NOUN", "NOUN"], ["NOUN", "NOUN", "NOUN"]]
