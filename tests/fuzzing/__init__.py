"""Generators of hostile mail and report files, shared by tests/test_fuzz.py and bench/fuzz.py."""
