"""Evaluations and benchmarks, run separately from the unit tests."""
