"""Inspection response scorecards.

The pipeline, one module or package per stage:
ingest -> identify -> segment -> classify -> score, chained for one document
by :mod:`pipeline.run` (the one per-document flow) and run over many by
:mod:`pipeline.parallel`. Shared record types live in :mod:`pipeline.types`;
file access only in :mod:`pipeline.io` and :mod:`pipeline.cli`.
"""

__version__ = "0.1.0"
