"""Shared fixtures: the shipped register, forces, segmenter and the seed responses, ingested for real."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import io
from pipeline.ingest import ingest
from pipeline.nlp import make_nlp
from pipeline.segment import Segmenter, parse_segment_rules

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "corpus" / "raw"

#: The seed responses by force short name (the HMICFRS letter is not a response).
SEEDS = {
    "Gwent": RAW / "000_c5efd783d32bafbb.txt",
    "Cleveland": RAW / "001_ab4122f530438a67.txt",
    "HMICFRS letter": RAW / "002_4133dcc53e7dd621.txt",
    "Suffolk": RAW / "003_f653cdaf582a19da.txt",
    "Staffordshire": RAW / "004_a33bc431c058d8a8.txt",
}
FORCE_RECOMMENDATIONS = ("9", "10", "12", "13", "16", "17", "18", "20", "22")


@pytest.fixture(scope="session")
def inspections():
    return io.load_inspections(ROOT / "corpus" / "inspections")


@pytest.fixture(scope="session")
def inspection(inspections):
    return next(i for i in inspections if i.id == "activism-impartiality-2024")


@pytest.fixture(scope="session")
def forces():
    return io.load_forces()


@pytest.fixture(scope="session")
def nlp():
    return make_nlp()


@pytest.fixture(scope="session")
def segmenter(nlp):
    return Segmenter(parse_segment_rules(io.read_package_data("segment.toml")), nlp)


@pytest.fixture(scope="session")
def settings(inspections, forces):
    """Run settings with the shipped model, as `score` builds them."""
    from pipeline import parallel

    return parallel.make_settings(inspections, forces, io.read_package_data("segment.toml"),
                                parallel.ModelSpec.from_file(str(ROOT / "models" / "status-classifier.joblib")))


@pytest.fixture(scope="session")
def seed_documents():
    return {name: ingest(io.read_source(path)) for name, path in SEEDS.items()}
