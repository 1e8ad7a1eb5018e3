"""Benchmarks: run by hand (python -m bench.NAME), never in CI; results go to the README."""
