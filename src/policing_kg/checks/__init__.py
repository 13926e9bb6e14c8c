"""Checks of the graph and of contributions: SHACL, the vocabulary, consistency, reports."""
