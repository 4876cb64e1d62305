"""Benchmarks: `python -m bench.<feature>` prints a results table with ratios against baselines."""
