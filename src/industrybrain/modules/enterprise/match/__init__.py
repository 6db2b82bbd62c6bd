"""Generic record matching: link two tables or deduplicate one without configuration.

``profile`` chooses each column's kind, ``compare`` its agreement levels and blocking keys,
``blocking`` the candidate pairs, ``model`` the Fellegi–Sunter m/u by EM, ``assign`` the optional
one-to-one assignment, ``pipeline.run_match`` ties them together; ``evaluate`` scores pairs.
"""

from industrybrain.modules.enterprise.match.pipeline import MatchConfig, MatchResult, run_match
from industrybrain.modules.enterprise.match.table import Table, read_table

__all__ = ["MatchConfig", "MatchResult", "Table", "read_table", "run_match"]
