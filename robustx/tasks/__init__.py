"""Benchmark tasks: declarative specs plus readers for each data layout."""
