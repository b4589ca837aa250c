"""Filters through cross-references with weaviate-client 4.24.1, over gRPC (Weaviate's Filters
message with a FilterTarget: `single_target`, `multi_target`, `count`): `Filter.by_ref(...)`
one and two hops, `Filter.by_ref_multi_target`, `Filter.by_ref_count`, `is_none` on a reference
property, combined with own-property filters and `not_`, in fetch_objects, near_vector,
aggregate.over_all (gRPC Aggregate: the node reports 1.29 or later) and delete_many; and what a deleted
target changes. Every expected answer is computed here from the same seeded data.

A reference filter matches a source object when at least one of its references satisfies the
condition; the count compares the number of stored beacons (dangling ones included).
"""

from types import SimpleNamespace

import numpy as np
import pytest
from weaviate.classes.config import Configure, DataType, Property, ReferenceProperty, Tokenization
from weaviate.classes.data import DataObject, ReferenceToMulti
from weaviate.classes.query import Filter, MetadataQuery, Metrics

from support import as_list, assert_ranked, distances, seeded_uuids, unique_name

N_ARTICLES = 60
CITY_NAMES = ["Amsterdam", "Paris", "Berlin", "Rome"]
PUBLISHER_NAMES = ["Penguin", "Querido", "Gallimard"]


def _data():
    rng = np.random.default_rng(14)
    cities = seeded_uuids(rng, len(CITY_NAMES))
    authors = seeded_uuids(rng, 12)
    publishers = seeded_uuids(rng, len(PUBLISHER_NAMES))
    articles = seeded_uuids(rng, N_ARTICLES)
    author_rows = [
        {"name": f"author-{i:02d}", "age": 20 + 5 * i, "city": None if i == 11 else i % 4}
        for i in range(len(authors))
    ]
    article_rows = []
    for i in range(N_ARTICLES):
        k = i % 4  # 0 authors: the property is left out
        picked = [int(x) for x in rng.choice(len(authors), size=k, replace=False)] if k else None
        sources = None
        if i % 3 == 0:
            sources = [("p", (i // 3) % len(PUBLISHER_NAMES))]
        if i % 5 == 0:
            sources = (sources or []) + [("a", int(rng.integers(len(authors))))]
        article_rows.append(
            {"words": int(rng.integers(100, 5000)), "authors": picked, "sources": sources}
        )
    vectors = rng.standard_normal((N_ARTICLES, 4)).astype(np.float32)
    return SimpleNamespace(
        cities=cities,
        authors=authors,
        publishers=publishers,
        articles=articles,
        author_rows=author_rows,
        article_rows=article_rows,
        vectors=vectors,
    )


D = _data()


def name_prop(name="name"):
    return Property(name=name, data_type=DataType.TEXT, tokenization=Tokenization.FIELD)


@pytest.fixture(scope="module")
def graph(client):
    made = []

    def create(prefix, **kw):
        name = unique_name(prefix)
        made.append(name)
        return client.collections.create(name, vectorizer_config=Configure.Vectorizer.none(), **kw)

    cities = create("RCity", properties=[name_prop()])
    authors = create(
        "RAuthor",
        properties=[name_prop(), Property(name="age", data_type=DataType.INT)],
        references=[ReferenceProperty(name="livesIn", target_collection=cities.name)],
    )
    publishers = create("RPublisher", properties=[name_prop()])
    articles = create(
        "RArticle",
        properties=[name_prop("title"), Property(name="words", data_type=DataType.INT)],
        references=[
            ReferenceProperty(name="hasAuthors", target_collection=authors.name),
            ReferenceProperty.MultiTarget(
                name="hasSources", target_collections=[authors.name, publishers.name]
            ),
        ],
        vector_index_config=Configure.VectorIndex.flat(),
        inverted_index_config=Configure.inverted_index(index_null_state=True),
    )

    def insert(col, objs):
        res = col.data.insert_many(objs)
        assert not res.has_errors, res.errors

    insert(cities, [DataObject({"name": n}, uuid=u) for n, u in zip(CITY_NAMES, D.cities)])
    insert(
        authors,
        [
            DataObject(
                {"name": r["name"], "age": r["age"]},
                uuid=u,
                references={"livesIn": D.cities[r["city"]]} if r["city"] is not None else None,
            )
            for r, u in zip(D.author_rows, D.authors)
        ],
    )
    insert(
        publishers, [DataObject({"name": n}, uuid=u) for n, u in zip(PUBLISHER_NAMES, D.publishers)]
    )
    objs = []
    for i, (r, u) in enumerate(zip(D.article_rows, D.articles)):
        refs = {}
        if r["authors"] is not None:
            refs["hasAuthors"] = [D.authors[j] for j in r["authors"]]
        objs.append(
            DataObject(
                {"title": f"article-{i:02d}", "words": r["words"]},
                uuid=u,
                vector=as_list(D.vectors[i]),
                references=refs or None,
            )
        )
    insert(articles, objs)
    # multi-target references through the references endpoint, one class per call
    for r, u in zip(D.article_rows, D.articles):
        for kind, j in r["sources"] or []:
            col, ids = (publishers, D.publishers) if kind == "p" else (authors, D.authors)
            articles.data.reference_add(
                u, "hasSources", ReferenceToMulti(target_collection=col.name, uuids=ids[j])
            )
    yield SimpleNamespace(cities=cities, authors=authors, publishers=publishers, articles=articles)
    for name in reversed(made):
        client.collections.delete(name)


def authors_of(row):
    return [D.author_rows[j] for j in row["authors"] or []]


def city(a):
    return CITY_NAMES[a["city"]] if a["city"] is not None else None


def source_names(row, kind):
    rows = D.author_rows if kind == "a" else [{"name": n} for n in PUBLISHER_NAMES]
    return [rows[j]["name"] for k, j in row["sources"] or [] if k == kind]


R = Filter.by_ref
P = Filter.by_property
# (id, filter built from the fixture's collections, the same condition over the Python rows)
CASES = [
    (
        "text equal",
        lambda g: R("hasAuthors").by_property("name").equal("author-03"),
        lambda r: any(a["name"] == "author-03" for a in authors_of(r)),
    ),
    (
        "int greater_than",
        lambda g: R("hasAuthors").by_property("age").greater_than(55),
        lambda r: any(a["age"] > 55 for a in authors_of(r)),
    ),
    (
        "int less_or_equal",
        lambda g: R("hasAuthors").by_property("age").less_or_equal(30),
        lambda r: any(a["age"] <= 30 for a in authors_of(r)),
    ),
    (
        "like",
        lambda g: R("hasAuthors").by_property("name").like("author-1*"),
        lambda r: any(a["name"].startswith("author-1") for a in authors_of(r)),
    ),
    (
        "contains_any",
        lambda g: R("hasAuthors").by_property("name").contains_any(["author-00", "author-07"]),
        lambda r: any(a["name"] in ("author-00", "author-07") for a in authors_of(r)),
    ),
    (
        "two hops",
        lambda g: R("hasAuthors").by_ref("livesIn").by_property("name").equal("Paris"),
        lambda r: any(city(a) == "Paris" for a in authors_of(r)),
    ),
    (
        "count greater_than",
        lambda g: Filter.by_ref_count("hasAuthors").greater_than(1),
        lambda r: len(r["authors"] or []) > 1,
    ),
    (
        "count equal",
        lambda g: Filter.by_ref_count("hasAuthors").equal(2),
        lambda r: len(r["authors"] or []) == 2,
    ),
    (
        "count greater_or_equal",
        lambda g: Filter.by_ref_count("hasAuthors").greater_or_equal(3),
        lambda r: len(r["authors"] or []) >= 3,
    ),
    (
        "multi-target publisher",
        lambda g: Filter.by_ref_multi_target("hasSources", g.publishers.name)
        .by_property("name")
        .equal("Querido"),
        lambda r: "Querido" in source_names(r, "p"),
    ),
    (
        "multi-target author",
        lambda g: Filter.by_ref_multi_target("hasSources", g.authors.name)
        .by_property("age")
        .less_than(45),
        lambda r: any(D.author_rows[j]["age"] < 45 for k, j in r["sources"] or [] if k == "a"),
    ),
    ("is_none true", lambda g: P("hasAuthors").is_none(True), lambda r: r["authors"] is None),
    (
        "is_none false",
        lambda g: P("hasAuthors").is_none(False),
        lambda r: r["authors"] is not None,
    ),
    (
        "and own property",
        lambda g: R("hasAuthors").by_property("age").greater_than(40) & P("words").less_than(3000),
        lambda r: any(a["age"] > 40 for a in authors_of(r)) and r["words"] < 3000,
    ),
    (
        "or of two references",
        lambda g: R("hasAuthors").by_property("name").equal("author-05")
        | R("hasAuthors").by_ref("livesIn").by_property("name").equal("Rome"),
        lambda r: any(a["name"] == "author-05" or city(a) == "Rome" for a in authors_of(r)),
    ),
    (
        "not",
        lambda g: Filter.not_(R("hasAuthors").by_property("age").greater_than(30)),
        lambda r: not any(a["age"] > 30 for a in authors_of(r)),
    ),
]
CASE = {c[0]: c[1:] for c in CASES}


def expect(pred):
    return sorted(str(u) for u, r in zip(D.articles, D.article_rows) if pred(r))


def matching(col, flt):
    return sorted(str(o.uuid) for o in col.query.fetch_objects(filters=flt, limit=1000).objects)


@pytest.mark.parametrize("make, pred", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_filter_through_references(graph, make, pred):
    want = expect(pred)
    assert 0 < len(want) < N_ARTICLES, "every case must separate the articles"
    assert matching(graph.articles, make(graph)) == want


@pytest.mark.parametrize("case", ["two hops", "multi-target publisher", "int less_or_equal"])
def test_near_vector_with_a_reference_filter(graph, case):
    make, pred = CASE[case]
    q = np.random.default_rng(7).standard_normal(4).astype(np.float32)
    allowed = [i for i, r in enumerate(D.article_rows) if pred(r)]
    ids = [str(D.articles[i]) for i in allowed]
    dists = [float(d) for d in distances("cosine", D.vectors[allowed], q)]
    res = graph.articles.query.near_vector(
        as_list(q), filters=make(graph), limit=5, return_metadata=MetadataQuery(distance=True)
    )
    got_ids = [str(o.uuid) for o in res.objects]
    got_d = [o.metadata.distance for o in res.objects]
    assert_ranked(got_ids, got_d, ids, dists, min(5, len(ids)), label=case)


@pytest.mark.parametrize("case", ["text equal", "two hops", "count greater_than", "not"])
def test_aggregate_with_a_reference_filter(graph, case):
    make, pred = CASE[case]
    rows = [r for r in D.article_rows if pred(r)]
    words = [r["words"] for r in rows]
    res = graph.articles.aggregate.over_all(
        filters=make(graph),
        total_count=True,
        return_metrics=Metrics("words").integer(count=True, sum_=True, maximum=True),
    )
    assert res.total_count == len(rows)
    got = res.properties["words"]
    assert (got.count, got.sum_, got.maximum) == (len(words), sum(words), max(words))


# ----------------------------------------------------------------------------- writes


@pytest.fixture
def notes(make_collection):
    """A small graph of its own: these tests delete objects."""
    writers = make_collection(
        "Writer",
        vectorizer_config=Configure.Vectorizer.none(),
        properties=[name_prop(), Property(name="age", data_type=DataType.INT)],
    )
    notes = make_collection(
        "Note",
        vectorizer_config=Configure.Vectorizer.none(),
        properties=[name_prop()],
        references=[ReferenceProperty(name="writtenBy", target_collection=writers.name)],
        inverted_index_config=Configure.inverted_index(index_null_state=True),
    )
    res = writers.data.insert_many(
        [DataObject({"name": f"w{i}", "age": 30 + 10 * i}) for i in range(3)]
    )
    assert not res.has_errors, res.errors
    w = res.uuids
    links = {"n0": [0, 1], "n1": [1], "n2": [2], "n3": [0, 2], "n4": None}
    res = notes.data.insert_many(
        [
            DataObject({"name": n}, references={"writtenBy": [w[j] for j in ws]} if ws else None)
            for n, ws in links.items()
        ]
    )
    assert not res.has_errors, res.errors
    ids = {n: res.uuids[k] for k, n in enumerate(links)}
    return SimpleNamespace(writers=writers, notes=notes, w=w, ids=ids)


def note_ids(nt, *names):
    return sorted(str(nt.ids[n]) for n in names)


def test_delete_many_with_reference_filters(notes):
    by_name = Filter.by_ref("writtenBy").by_property("name").equal("w1")
    dry = notes.notes.data.delete_many(where=by_name, dry_run=True, verbose=True)
    assert (dry.matches, dry.successful, dry.failed) == (2, 2, 0)
    assert sorted(str(o.uuid) for o in dry.objects) == note_ids(notes, "n0", "n1")
    assert len(notes.notes) == 5
    real = notes.notes.data.delete_many(where=by_name, verbose=True)
    assert (real.matches, real.successful, real.failed) == (2, 2, 0)
    assert sorted(str(o.uuid) for o in real.objects) == note_ids(notes, "n0", "n1")
    counted = notes.notes.data.delete_many(where=Filter.by_ref_count("writtenBy").greater_than(1))
    assert (counted.matches, counted.successful) == (1, 1)
    left = sorted(o.properties["name"] for o in notes.notes.query.fetch_objects(limit=10).objects)
    assert left == ["n2", "n4"]


def test_filters_after_a_target_is_deleted(notes):
    assert notes.writers.data.delete_by_id(notes.w[2])
    gone = Filter.by_ref("writtenBy").by_property("name").equal("w2")
    assert matching(notes.notes, gone) == []
    assert notes.notes.aggregate.over_all(filters=gone, total_count=True).total_count == 0
    kept = Filter.by_ref("writtenBy").by_property("name").equal("w0")
    assert matching(notes.notes, kept) == note_ids(notes, "n0", "n3")
    # the source objects are unchanged: their beacons still count, and n2 still has one
    two = Filter.by_ref_count("writtenBy").equal(2)
    assert matching(notes.notes, two) == note_ids(notes, "n0", "n3")
    assert matching(notes.notes, Filter.by_property("writtenBy").is_none(True)) == note_ids(
        notes, "n4"
    )
