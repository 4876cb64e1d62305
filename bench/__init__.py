"""Benchmarks: `python -m bench.<feature>`."""
