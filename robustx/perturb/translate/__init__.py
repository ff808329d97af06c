"""Translation perturbations: code-switching, cross-lingual mixing and machine translation.

* ``translate.code_switch``: words replaced by dictionary translations (MUSE), ranked by
  frequency in the embedded language (``wordfreq``); PolyGloss-style, Tan & Joty 2021.
* ``translate.pair_mix``: a field replaced by the same row of the benchmark in another
  language (XNLI, PAWS-X: premise in one language, hypothesis in another).
* ``translate.phrase_mix``: phrases replaced by their aligned phrases in the same row's
  human translation; Bumblebee-style, Tan & Joty 2021.
* ``translate.round_trip`` and ``translate.translate_test``: machine translation through
  a pluggable backend (``mt``: Apertium, Hugging Face seq2seq).

The aligned-row recipes use the ``aligned_languages``/``prepare``/``perturb_field`` hooks
of ``robustx.perturb.base``; the MT recipes use ``prepare`` to translate a shard in batches.
"""
