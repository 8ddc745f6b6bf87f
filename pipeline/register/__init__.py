"""Inspections as data: the register schema and its extraction from HMICFRS reports.

* :mod:`pipeline.register.schema` parses and validates one register's TOML
  (recommendations, causes of concern, areas for improvement).
* :mod:`pipeline.register.extract` reads an HMICFRS report (a normalised
  :class:`~pipeline.types.Document`) into an :class:`~pipeline.types.Inspection`
  and writes it back as register TOML.
"""

from pipeline.register.schema import ADDRESSEES, FINDING_TABLES, check_unique_ids, parse_inspection

__all__ = ["ADDRESSEES", "FINDING_TABLES", "check_unique_ids", "parse_inspection"]
