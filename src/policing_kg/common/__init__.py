"""Shared RDF helpers at the bottom of the flow: term conversion between rdflib and pyoxigraph."""
