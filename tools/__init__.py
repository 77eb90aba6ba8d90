"""Benchmark and load-test tooling for the dashboard, outside the product package (`python -m tools`)."""
