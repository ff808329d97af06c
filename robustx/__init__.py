"""robustx: per-language adversarial robustness of multilingual checkpoints on XTREME.

Importing the package is cheap: no torch, transformers or datasets are imported
until a model or dataset is actually used.
"""

__version__ = "0.1.0"
