"""The release on the web: a static site (``site``), and ``serve`` with a SPARQL endpoint."""
