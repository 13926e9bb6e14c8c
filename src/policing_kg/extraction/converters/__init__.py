"""The converters, one per layout of source text."""
