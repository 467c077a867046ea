"""Measures: rates with Wilson intervals, risk against a control, scoring of attack guesses against the truth."""
