"""Evaluations and benchmarks: gold sets and the scripts that score the system on them."""
