"""Word-level perturbations: drop, repeat, adjacent swap, wordnet synonyms, inflection, masked-LM.

What a word is lives in ``units``: a whitespace token stripped of its outer
punctuation in scripts written with spaces, ``robustx.text.words``' fixed grapheme
chunks in scripts written without them; the synonym recipe segments those by
longest match against its wordnet instead.
"""
