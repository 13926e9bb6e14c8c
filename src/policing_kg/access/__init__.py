"""Access to the release: the stored queries (embedded or on an endpoint) and triple stores.

The constants here are what the command line offers (read without importing the store).
"""

__all__ = ["QUERY_FORMATS", "DEFAULT_TIMEOUT"]

#: Answers in the W3C's formats (by pyoxigraph) and two views for people.
QUERY_FORMATS = ("table", "csv", "tsv", "json", "markdown")
#: Seconds a request may take, all of it.
DEFAULT_TIMEOUT = 60.0
