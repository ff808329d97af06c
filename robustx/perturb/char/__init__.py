"""Character-level perturbations: keyboard typos and random grapheme edits."""
