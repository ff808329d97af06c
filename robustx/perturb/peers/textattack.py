"""TextAttack transformations as a robustx recipe, through ``textattack.augmentation.Augmenter``.

``augmenter = "char.WordSwapQWERTY"``: the part before the dot says which script guard
applies (``char`` for transformations that edit characters, ``word`` for ones that move or
drop whole words), the class is looked up in ``textattack.transformations``; ``options`` go to
the transformation, ``pct_words_to_swap`` to the Augmenter. Install with
``pip install robustx[textattack]`` (it pins transformers < 5); ``import textattack`` needs the
NLTK English stopwords offline (``NLTK_DATA``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from robustx.errors import RobustxError, first_line
from robustx.perturb.editing import check_rate
from robustx.perturb.peers.base import PeerAdapter, PeerParams


@dataclass(frozen=True)
class TextAttackParams(PeerParams):
    augmenter: str = "char.WordSwapQWERTY"
    pct_words_to_swap: float = 0.1

    def __post_init__(self) -> None:
        super().__post_init__()
        check_rate(self.pct_words_to_swap, "pct_words_to_swap")


class TextAttackAdapter(PeerAdapter):
    name = "peer.textattack"
    library = "TextAttack"
    Params = TextAttackParams
    uses_torch_rng = True

    def _build(self) -> Any:
        try:
            import textattack.transformations as transformations
            from textattack.augmentation import Augmenter
        except Exception as exc:  # noqa: BLE001 - ImportError, or NLTK's LookupError offline
            raise RobustxError(f"{self.name} needs an importable textattack (pip install 'robustx[textattack]'; "
                               f"offline, NLTK_DATA with corpora/stopwords): {first_line(exc)}") from None
        cls = getattr(transformations, self.class_name, None)
        if cls is None:
            raise RobustxError(f"{self.name}: textattack.transformations has no {self.class_name}")
        try:
            return Augmenter(transformation=cls(**dict(self.params.options)),
                             pct_words_to_swap=self.params.pct_words_to_swap, transformations_per_example=1)
        except Exception as exc:  # noqa: BLE001
            raise self._fail(exc) from None

    def _augment(self, augmenter: Any, text: str) -> str:
        out = augmenter.augment(text)
        return out[0] if out else text
