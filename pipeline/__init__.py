"""Inspection response scorecards.

The pipeline, one module per stage:
ingest -> identify -> segment -> classify -> score.
Shared record types live in :mod:`pipeline.types`; file access only in
:mod:`pipeline.io` and :mod:`pipeline.cli`.
"""

__version__ = "0.1.0"
