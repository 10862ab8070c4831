"""Benchmarks for bioeco: a synthetic data generator and a runner that reports ratios.

Speed is measured here (``python -m bench.run`` / ``make bench``), never in timed unit tests.
"""
