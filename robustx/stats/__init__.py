"""Statistics of robustness studies: paired drops, seed-level group tests, ASO, corrections.

One concept per module; nothing here is imported eagerly (the CLI start-up path must not
import ``robustx.stats``; the report layer imports the module it needs).

- ``paired``   — one checkpoint × language × perturbation, paired over the same examples:
  clean / perturbed accuracy, absolute and relative drop, percentile paired-bootstrap CI
  (examples resampled), exact McNemar and exact within-example permutation tests,
  perturbation-seed sd.
- ``groups``   — groups of checkpoints (fine-tuning seeds of one condition): mean ± sd,
  and for a pair of groups Welch's t, Mann–Whitney U, Hedges' g with bootstrap CI,
  hierarchical (seeds, then examples) bootstrap CI of the difference in mean drop, ASO.
- ``aso``      — Almost Stochastic Order (Dror et al. 2019; del Barrio et al. 2018):
  violation ratio and its bootstrap upper confidence bound eps_min.
- ``multiple`` — Holm and Benjamini–Hochberg adjusted p-values over a configurable family.
- ``design``   — design checks returned as strings: too few seeds, tests the design
  cannot support (their p-values are withheld, with the reason).

Every random procedure takes an explicit ``numpy.random.Generator``.
"""
