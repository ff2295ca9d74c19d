"""Fast, deterministic tests of each step on toy data: no model files (tests/fakes.py stands in)."""
