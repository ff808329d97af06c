"""The embedded offline demo: e5-small on a shipped parallel sample (not a benchmark)."""
