"""The release: dumps, checksums and description, and the whole build that makes them."""
