"""Crosswalks: coverage of the mapping sets, lexical suggestions, matrices.

The constants here are what the command line offers (read without importing the rest).
"""

__all__ = ["SUGGESTION_TASKS"]

#: What ``crosswalk suggest`` can propose (see ``suggest.TASKS``).
SUGGESTION_TASKS = ("themes", "strategic-goals", "sdg-targets", "statement-targets",
                    "programme-statements")
