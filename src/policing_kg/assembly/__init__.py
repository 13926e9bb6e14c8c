"""Assembly: records and curation merged into one dataset; the inferred links."""
