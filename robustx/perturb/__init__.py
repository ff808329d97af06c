"""Perturbations: a registry of recipes, each a small class with declared parameters.

Families live in subpackages (``char``, ``word``, ``translate``; ``peers`` adapts nlpaug and
TextAttack). Entries are
registered lazily by module path so that listing them imports nothing heavy.
"""

from robustx.perturb.base import (  # noqa: F401
    PERTURBATIONS,
    Edit,
    Perturbation,
    PerturbedText,
    perturb_example,
    perturb_examples,
)

PERTURBATIONS.register("char.keyboard_typo", "robustx.perturb.char.keyboard_typo:KeyboardTypo")
PERTURBATIONS.register("char.random_edit", "robustx.perturb.char.random_edit:RandomCharEdit")
PERTURBATIONS.register("char.case", "robustx.perturb.char.case:Case")
PERTURBATIONS.register("char.homoglyph", "robustx.perturb.char.homoglyph:Homoglyph")
PERTURBATIONS.register("char.invisible", "robustx.perturb.char.invisible:Invisible")
PERTURBATIONS.register("char.ocr", "robustx.perturb.char.ocr:Ocr")
PERTURBATIONS.register("char.strip_marks", "robustx.perturb.char.strip_marks:StripMarks")
PERTURBATIONS.register("word.drop", "robustx.perturb.word.drop:WordDrop")
PERTURBATIONS.register("word.repeat", "robustx.perturb.word.repeat:WordRepeat")
PERTURBATIONS.register("word.swap", "robustx.perturb.word.swap:WordSwap")
PERTURBATIONS.register("word.synonym", "robustx.perturb.word.synonym:WordnetSynonym")
PERTURBATIONS.register("word.inflection", "robustx.perturb.word.inflection:Inflection")
PERTURBATIONS.register("word.mlm", "robustx.perturb.word.mlm:MaskedLMSubstitution")
PERTURBATIONS.register("translate.code_switch", "robustx.perturb.translate.code_switch:CodeSwitch")
PERTURBATIONS.register("translate.pair_mix", "robustx.perturb.translate.pair_mix:PairMix")
PERTURBATIONS.register("translate.phrase_mix", "robustx.perturb.translate.phrase_mix:PhraseMix")
PERTURBATIONS.register("translate.round_trip", "robustx.perturb.translate.round_trip:RoundTrip")
PERTURBATIONS.register("translate.translate_test", "robustx.perturb.translate.round_trip:TranslateTest")
PERTURBATIONS.register("peer.nlpaug", "robustx.perturb.peers.nlpaug:NlpaugAdapter")
PERTURBATIONS.register("peer.textattack", "robustx.perturb.peers.textattack:TextAttackAdapter")
