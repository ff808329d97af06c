"""XTREME's structured-task metrics, computed as XTREME's own scripts compute them.

One concept per module; pure functions of gold and predicted structures (numpy only, no
torch). Per-example parts are returned so that a paired bootstrap can resample examples and
recompute a corpus number from them; corpus numbers are percentages, as XTREME reports them.

- ``tagging`` — UD-POS token accuracy (per sentence: tokens right, tokens); PAN-X
  entity-level P/R/F1 with seqeval's default (conlleval) BIO conventions (per sentence: true
  positives, predicted and gold entities, summed over the corpus); ``seqeval_scores``, the
  corpus-only seqeval F1 that XTREME's ``evaluate.py`` reports for UD-POS.
- ``qa`` — SQuAD v1.1 exact match and token F1 (XQuAD, TyDiQA-GoldP) and MLQA's official
  evaluation (Unicode punctuation, the answer language's articles, character tokens for
  zh); per question, and corpus means.
- ``mining`` — BUCC 2018: ratio-margin mining (k = 4, XTREME's ``mine_bitext`` with
  retrieval "max"), the threshold that maximizes F1 on dev (``bucc_optimize``), extraction
  at a threshold, and P/R/F1 of mined pairs (one number per set).

Which script version each module matches is said in its docstring.
"""
