"""Benchmarks (make bench); never collected by make test."""
