"""Character-level perturbations on grapheme clusters: keyboard typos, random edits,
homoglyphs, mark stripping, OCR confusions, invisible characters and case noise."""
