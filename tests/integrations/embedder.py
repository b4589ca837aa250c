"""A small deterministic embedder for the quick-starts: a hashed bag of words in 64 dimensions,
normalised to unit length. Texts that share words are close; no model, no download, and the
tests can compute every expected ranking with numpy."""

import re
import zlib

import numpy as np

DIM = 64


def embed(text):
    vec = np.zeros(DIM, dtype=np.float64)
    for token in re.findall(r"[a-z0-9]+", text.lower()):
        h = zlib.crc32(token.encode())
        vec[h % DIM] += 1.0 if (h >> 16) & 1 else -1.0
    norm = np.linalg.norm(vec)
    return [float(x) for x in (vec / norm if norm else vec)]


def cosine_distances(texts, query):
    m = np.array([embed(t) for t in texts])
    q = np.array(embed(query))
    return 1.0 - m @ q  # unit vectors (or zero): cosine distance


DOCS = [
    ("The harbor freezes in a hard winter and the boats stay in.", "news", 2019),
    ("Copper prices rose after the mine in the mountains closed.", "markets", 2021),
    ("A quiet garden with roses, tulips and an old stone bench.", "travel", 2018),
    ("The river floods the valley every spring after the snow melts.", "news", 2020),
    ("Engine trouble grounded the small plane at the island airport.", "news", 2022),
    ("Stock markets fell as copper and steel futures dropped.", "markets", 2023),
    ("Lanterns light the old harbor during the winter festival.", "travel", 2021),
    ("The violin concert in the marble hall was sold out.", "culture", 2017),
    ("Glacier hikes start at the canyon lodge in early summer.", "travel", 2022),
    ("A thunderstorm cut power to the valley for two days.", "news", 2024),
    ("The museum shows paintings of meadows and forests.", "culture", 2016),
    ("Falcons nest on the cliffs above the quiet river.", "nature", 2020),
]


def assert_vector_order(got, query, candidates, k=None):
    """`got` (texts) must be the k nearest of `candidates` to `query`, nearest first; texts at
    the same distance (often 1.0: no shared words) may come in any order."""
    dist = dict(zip(candidates, cosine_distances(candidates, query)))
    k = len(candidates) if k is None else k
    ranked = sorted(candidates, key=lambda t: dist[t])
    assert len(got) == min(k, len(candidates)), got
    got_d = [dist[t] for t in got]
    want_d = [dist[t] for t in ranked[: len(got)]]
    assert np.allclose(got_d, want_d, atol=1e-6), (got, ranked[: len(got)])
