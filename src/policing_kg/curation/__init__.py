"""Curation: what the project adds to the texts, each record checked against its item."""
