"""Summaries of a run: per-language tables and summary.json."""
