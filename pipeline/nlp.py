"""The shared spaCy pipeline: a blank English pipeline with rule-based components.

No trained spaCy model can be downloaded here, so text processing is a blank
``en`` pipeline with a sentencizer and the lookup lemmatizer from
``spacy-lookups-data``. Stages that need more (phrase matching of force names,
status cues) add their own components to the object this returns; nothing is
cached at module level, callers hold the ``Language`` they build.
"""

from __future__ import annotations

import spacy
from spacy.language import Language


def make_nlp() -> Language:
    """A new blank English pipeline: ``sentencizer`` then lookup ``lemmatizer``, initialised."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp
