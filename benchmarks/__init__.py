"""Reproducible benchmarks; each prints its figures beside a baseline run in the same process.

``python -m benchmarks.province`` builds a synthetic province and times the metric evaluator
against a hand-written aggregate query (see ``benchmarks/README.md``).
"""
