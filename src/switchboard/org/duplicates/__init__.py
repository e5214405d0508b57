"""Matching and duplicate rules: normalising, matching, and the check the DML path runs."""
