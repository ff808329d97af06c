import numpy as np
import pytest

from robustx.errors import RobustxError
from robustx.models.labels import label_index

XNLI = ("entailment", "neutral", "contradiction")


@pytest.mark.parametrize(
    "id2label, expected",
    [
        ({0: "entailment", 1: "neutral", 2: "contradiction"}, [0, 1, 2]),  # HF xnli / glue mnli
        ({0: "contradiction", 1: "entailment", 2: "neutral"}, [1, 2, 0]),  # XTREME / jiant
        ({0: "CONTRADICTION", 1: "NEUTRAL", 2: "ENTAILMENT"}, [2, 1, 0]),  # roberta-large-mnli
    ],
)
def test_published_label_orders_map_by_name(id2label, expected):
    assert label_index(id2label, XNLI, {}, "ckpt").tolist() == expected


def test_mapped_logits_are_in_task_order():
    logits = np.array([[5.0, 1.0, 0.0]])  # the checkpoint says "contradiction" (its id 0)
    idx = label_index({0: "contradiction", 1: "entailment", 2: "neutral"}, XNLI, {}, "ckpt")
    assert XNLI[int(logits[:, idx].argmax())] == "contradiction"


def test_generic_labels_refused_with_fix():
    with pytest.raises(RobustxError, match="LABEL_0.*label_map"):
        label_index({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, XNLI, {}, "ckpt")


def test_explicit_map_accepted():
    explicit = {"LABEL_0": "neutral", "LABEL_1": "contradiction", "LABEL_2": "entailment"}
    idx = label_index({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, XNLI, explicit, "ckpt")
    assert idx.tolist() == [2, 0, 1]


@pytest.mark.parametrize(
    "id2label, message",
    [
        ({0: "positive", 1: "negative"}, "matches none"),
        ({0: "entailment", 1: "neutral"}, "no output for task label 'contradiction'"),
        ({0: "entailment", 1: "entails", 2: "neutral"}, "both map to 'entailment'"),
    ],
)
def test_mismatched_labels_refused(id2label, message):
    with pytest.raises(RobustxError, match=message):
        label_index(id2label, XNLI, {}, "my-ckpt")
