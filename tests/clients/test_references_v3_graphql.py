"""Cross-references in GraphQL with the official Python client (weaviate-client 3.26.7) on one
node: Get resolving `prop { ... on Class { ... _additional { id distance vector } } }` one,
two and three levels deep and across two target classes, `where` through one, two and three
hops, the reference count filter, IsNull on a reference property, the same filters with
nearVector, in Aggregate and in batch delete, and dangling beacons after a target is deleted.

The graph (Article -hasAuthors-> Author -livesIn-> City -inCountry-> Country, and Article
-hasSources-> Author|Publisher) is imported with `POST /v1/batch/objects`, beacons in the
objects' properties; every expected answer is computed here from the same Python data.

Resolution order follows Weaviate's refcache resolver (adapters/handlers/graphql, usecases/
traverser/refcache): per fragment in query order, and within a fragment in beacon order;
a beacon whose object is gone or is not of the fragment's class is skipped.
"""

from collections import namedtuple

import numpy as np
import pytest

from refs_node import beacon, client, node  # noqa: F401 (fixtures)

Author = namedtuple("Author", "name age vector city")
Article = namedtuple("Article", "words vector authors sources")

COUNTRIES = {
    "c0000000-0000-4000-8000-000000000001": "Netherlands",
    "c0000000-0000-4000-8000-000000000002": "France",
}
NL, FR = COUNTRIES
CITIES = {  # id -> (name, country id)
    "c1000000-0000-4000-8000-000000000001": ("Amsterdam", NL),
    "c1000000-0000-4000-8000-000000000002": ("Utrecht", NL),
    "c1000000-0000-4000-8000-000000000003": ("Paris", FR),
}
AMS, UTR, PAR = CITIES
AUTHORS = {
    "a0000000-0000-4000-8000-000000000001": Author("Ada", 36, [1.0, 0.0, 0.0], AMS),
    "a0000000-0000-4000-8000-000000000002": Author("Bea", 52, [0.0, 1.0, 0.0], PAR),
    "a0000000-0000-4000-8000-000000000003": Author("Cas", 41, [0.0, 0.0, 1.0], UTR),
    "a0000000-0000-4000-8000-000000000004": Author("Dex", 29, [1.0, 1.0, 0.0], None),
}
ADA, BEA, CAS, DEX = AUTHORS
PUBLISHERS = {
    "b0000000-0000-4000-8000-000000000001": "Penguin",
    "b0000000-0000-4000-8000-000000000002": "Querido",
}
PEN, QUE = PUBLISHERS
ARTICLES = {  # title -> words, vector, authors (beacon order), sources (class, id)
    "alpha": Article(100, [1.0, 0.05, 0.1], [ADA], [("Publisher", PEN)]),
    "beta": Article(200, [0.9, 0.3, 0.0], [ADA, BEA], [("Author", ADA), ("Publisher", QUE)]),
    "gamma": Article(300, [0.0, 1.0, 0.2], [BEA, CAS, DEX], [("Publisher", QUE), ("Author", BEA)]),
    "delta": Article(400, [0.1, 0.3, 1.0], [CAS], None),
    "epsilon": Article(500, [0.5, 0.45, 0.6], None, None),
    "zeta": Article(600, [0.2, 0.0, -1.0], [DEX], [("Publisher", PEN)]),
}
ARTICLE_IDS = {t: f"d0000000-0000-4000-8000-{i:012d}" for i, t in enumerate(ARTICLES)}
TEXT = {"dataType": ["text"], "tokenization": "field"}


def batch_import(client, cls, rows):
    """rows: (id, properties, vector or None); every object must come back SUCCESS."""
    failures = []

    def check(results):
        failures.extend(r["result"]["errors"] for r in results or [] if "errors" in r["result"])

    with client.batch(batch_size=50, callback=check) as batch:
        for oid, props, vector in rows:
            batch.add_data_object(props, cls, uuid=oid, vector=vector)
    assert failures == [], failures


@pytest.fixture(scope="module")
def graph(client):
    for cls, props, extra in [
        ("Country", [{"name": "name", **TEXT}], {}),
        ("City", [{"name": "name", **TEXT}], {}),
        ("Author", [{"name": "name", **TEXT}, {"name": "age", "dataType": ["int"]}], {}),
        ("Publisher", [{"name": "name", **TEXT}], {}),
        (
            "Article",
            [{"name": "title", **TEXT}, {"name": "wordCount", "dataType": ["int"]}],
            {"invertedIndexConfig": {"indexNullState": True}},
        ),
    ]:
        client.schema.create_class(
            {"class": cls, "vectorizer": "none", "properties": props, **extra}
        )
    for cls, prop, targets in [
        ("City", "inCountry", ["Country"]),
        ("Author", "livesIn", ["City"]),
        ("Article", "hasAuthors", ["Author"]),
        ("Article", "hasSources", ["Author", "Publisher"]),
    ]:
        client.schema.property.create(cls, {"name": prop, "dataType": targets})
    # in dependency order: Weaviate checks that a beacon's object exists when it is written
    batch_import(client, "Country", [(i, {"name": n}, None) for i, n in COUNTRIES.items()])
    batch_import(
        client,
        "City",
        [
            (i, {"name": n, "inCountry": [beacon("Country", c)]}, None)
            for i, (n, c) in CITIES.items()
        ],
    )
    rows = []
    for i, a in AUTHORS.items():
        props = {"name": a.name, "age": a.age}
        if a.city:
            props["livesIn"] = [beacon("City", a.city)]
        rows.append((i, props, a.vector))
    batch_import(client, "Author", rows)
    batch_import(client, "Publisher", [(i, {"name": n}, None) for i, n in PUBLISHERS.items()])
    rows = []
    for title, art in ARTICLES.items():
        props = {"title": title, "wordCount": art.words}
        if art.authors is not None:
            props["hasAuthors"] = [beacon("Author", a) for a in art.authors]
        if art.sources is not None:
            props["hasSources"] = [beacon(c, i) for c, i in art.sources]
        rows.append((ARTICLE_IDS[title], props, art.vector))
    batch_import(client, "Article", rows)
    return client


def raw(client, query):
    res = client.query.raw(query)
    assert "errors" not in res, res
    return res


def by_title(rows, field):
    return {r["title"]: r[field] for r in rows}


def titles(client, where, limit=100):
    res = client.query.get("Article", ["title"]).with_where(where).with_limit(limit).do()
    assert "errors" not in res, res
    return sorted(r["title"] for r in res["data"]["Get"]["Article"])


def expect(pred):
    return sorted(t for t, a in ARTICLES.items() if pred(a))


def names(ids):
    return [{"name": AUTHORS[i].name} for i in ids]


def cosine(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(1.0 - a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


# ----------------------------------------------------------------------------- resolution


def test_get_resolves_one_level_in_beacon_order(graph):
    res = graph.query.get("Article", ["title", "hasAuthors { ... on Author { name } }"])
    res = res.with_limit(100).do()
    assert "errors" not in res, res
    got = by_title(res["data"]["Get"]["Article"], "hasAuthors")
    # an object without the property renders null
    assert got == {t: (names(a.authors) if a.authors else None) for t, a in ARTICLES.items()}


def test_additional_inside_a_reference(graph):
    res = raw(
        graph,
        """{ Get { Article(where: {path: ["title"], operator: Equal, valueText: "gamma"}) {
        title hasAuthors { ... on Author {
            name __typename _additional { id distance vector } } } } } }""",
    )
    (row,) = res["data"]["Get"]["Article"]
    got = row["hasAuthors"]
    assert [r["name"] for r in got] == ["Bea", "Cas", "Dex"]
    assert [r["__typename"] for r in got] == ["Author"] * 3
    assert [r["_additional"]["id"] for r in got] == [BEA, CAS, DEX]
    for r, i in zip(got, [BEA, CAS, DEX]):
        assert r["_additional"]["vector"] == pytest.approx(AUTHORS[i].vector)
        # a resolved reference was not searched for: Weaviate has no distance for it
        assert r["_additional"]["distance"] is None


def test_near_vector_with_resolved_references(graph):
    q = [0.95, 0.2, 0.05]
    res = (
        graph.query.get("Article", ["title", "hasAuthors { ... on Author { name } }"])
        .with_near_vector({"vector": q})
        .with_additional(["id", "distance"])
        .with_limit(3)
        .do()
    )
    assert "errors" not in res, res
    rows = res["data"]["Get"]["Article"]
    want = sorted(ARTICLES, key=lambda t: cosine(ARTICLES[t].vector, q))[:3]
    assert [r["title"] for r in rows] == want
    for r in rows:
        assert r["_additional"]["id"] == ARTICLE_IDS[r["title"]]
        assert r["_additional"]["distance"] == pytest.approx(
            cosine(ARTICLES[r["title"]].vector, q), abs=1e-4
        )
        authors = ARTICLES[r["title"]].authors
        assert r["hasAuthors"] == (names(authors) if authors else None)


def test_two_and_three_levels_deep(graph):
    res = raw(
        graph,
        """{ Get { Article(limit: 100) { title hasAuthors { ... on Author { name
        livesIn { ... on City { name inCountry { ... on Country { name } } } } } } } } }""",
    )
    got = by_title(res["data"]["Get"]["Article"], "hasAuthors")

    def author(i):
        a = AUTHORS[i]
        if a.city is None:
            return {"name": a.name, "livesIn": None}
        city, country = CITIES[a.city]
        return {
            "name": a.name,
            "livesIn": [{"name": city, "inCountry": [{"name": COUNTRIES[country]}]}],
        }

    assert got == {
        t: ([author(i) for i in a.authors] if a.authors else None) for t, a in ARTICLES.items()
    }


def test_two_target_classes_in_one_property(graph):
    res = raw(
        graph,
        """{ Get { Article(limit: 100) { title hasSources {
        ... on Author { __typename name } ... on Publisher { __typename name } } } } }""",
    )
    got = by_title(res["data"]["Get"]["Article"], "hasSources")

    def expected(sources):
        if sources is None:
            return None
        authors = [
            {"__typename": "Author", "name": AUTHORS[i].name} for c, i in sources if c == "Author"
        ]
        pubs = [
            {"__typename": "Publisher", "name": PUBLISHERS[i]}
            for c, i in sources
            if c == "Publisher"
        ]
        return authors + pubs  # per fragment, in the query's order

    assert got == {t: expected(a.sources) for t, a in ARTICLES.items()}
    only = raw(
        graph,
        """{ Get { Article(limit: 100) { title hasSources { ... on Publisher { name } } } } }""",
    )
    got = by_title(only["data"]["Get"]["Article"], "hasSources")
    # every article with sources has a publisher among them; the authors are left out
    assert got == {
        t: (
            [{"name": PUBLISHERS[i]} for c, i in a.sources if c == "Publisher"]
            if a.sources
            else None
        )
        for t, a in ARTICLES.items()
    }


# ----------------------------------------------------------------------------- filters

ref_name = ["hasAuthors", "Author", "name"]
CITY = {i: CITIES[a.city][0] if a.city else None for i, a in AUTHORS.items()}
COUNTRY = {i: COUNTRIES[CITIES[a.city][1]] if a.city else None for i, a in AUTHORS.items()}
WHERE = [
    (
        "one hop text",
        {"path": ref_name, "operator": "Equal", "valueText": "Bea"},
        lambda a: BEA in (a.authors or []),
    ),
    (
        "one hop int",
        {"path": ["hasAuthors", "Author", "age"], "operator": "GreaterThan", "valueInt": 40},
        lambda a: any(AUTHORS[i].age > 40 for i in a.authors or []),
    ),
    (
        "one hop like",
        {"path": ref_name, "operator": "Like", "valueText": "?e*"},
        lambda a: any(AUTHORS[i].name[1] == "e" for i in a.authors or []),
    ),
    (
        "two hops",
        {
            "path": ["hasAuthors", "Author", "livesIn", "City", "name"],
            "operator": "Equal",
            "valueText": "Utrecht",
        },
        lambda a: any(CITY[i] == "Utrecht" for i in a.authors or []),
    ),
    (
        "three hops",
        {
            "path": ["hasAuthors", "Author", "livesIn", "City", "inCountry", "Country", "name"],
            "operator": "Equal",
            "valueText": "Netherlands",
        },
        lambda a: any(COUNTRY[i] == "Netherlands" for i in a.authors or []),
    ),
    (
        "multi-target publisher",
        {"path": ["hasSources", "Publisher", "name"], "operator": "Equal", "valueText": "Querido"},
        lambda a: ("Publisher", QUE) in (a.sources or []),
    ),
    (
        "multi-target author",
        {"path": ["hasSources", "Author", "name"], "operator": "Equal", "valueText": "Bea"},
        lambda a: ("Author", BEA) in (a.sources or []),
    ),
    (
        "count greater",
        {"path": ["hasAuthors"], "operator": "GreaterThan", "valueInt": 1},
        lambda a: len(a.authors or []) > 1,
    ),
    (
        "count equal",
        {"path": ["hasAuthors"], "operator": "Equal", "valueInt": 1},
        lambda a: a.authors is not None and len(a.authors) == 1,
    ),
    (
        "is null",
        {"path": ["hasAuthors"], "operator": "IsNull", "valueBoolean": True},
        lambda a: a.authors is None,
    ),
    (
        "is not null",
        {"path": ["hasAuthors"], "operator": "IsNull", "valueBoolean": False},
        lambda a: a.authors is not None,
    ),
    (
        "and own property",
        {
            "operator": "And",
            "operands": [
                {"path": ref_name, "operator": "Equal", "valueText": "Ada"},
                {"path": ["wordCount"], "operator": "GreaterThan", "valueInt": 150},
            ],
        },
        lambda a: ADA in (a.authors or []) and a.words > 150,
    ),
    (
        "or of two references",
        {
            "operator": "Or",
            "operands": [
                {"path": ref_name, "operator": "Equal", "valueText": "Dex"},
                {
                    "path": ["hasSources", "Publisher", "name"],
                    "operator": "Equal",
                    "valueText": "Penguin",
                },
            ],
        },
        lambda a: DEX in (a.authors or []) or ("Publisher", PEN) in (a.sources or []),
    ),
]


@pytest.mark.parametrize("where, pred", [w[1:] for w in WHERE], ids=[w[0] for w in WHERE])
def test_where_through_references(graph, where, pred):
    want = expect(pred)
    assert 0 < len(want) < len(ARTICLES), "every case must separate the articles"
    assert titles(graph, where) == want


def test_where_through_references_with_near_vector(graph):
    where = {"path": ["hasAuthors", "Author", "age"], "operator": "LessThan", "valueInt": 40}
    q = [0.0, 1.0, 0.0]
    res = (
        graph.query.get("Article", ["title"])
        .with_near_vector({"vector": q})
        .with_where(where)
        .with_additional(["distance"])
        .with_limit(2)
        .do()
    )
    assert "errors" not in res, res
    allowed = expect(lambda a: any(AUTHORS[i].age < 40 for i in a.authors or []))
    want = sorted(allowed, key=lambda t: cosine(ARTICLES[t].vector, q))[:2]
    rows = res["data"]["Get"]["Article"]
    assert [r["title"] for r in rows] == want
    for r in rows:
        assert r["_additional"]["distance"] == pytest.approx(
            cosine(ARTICLES[r["title"]].vector, q), abs=1e-4
        )


def test_aggregate_with_a_reference_filter(graph):
    where = {
        "path": ["hasAuthors", "Author", "livesIn", "City", "name"],
        "operator": "Equal",
        "valueText": "Paris",
    }
    res = (
        graph.query.aggregate("Article")
        .with_where(where)
        .with_meta_count()
        .with_fields("wordCount { sum maximum }")
        .do()
    )
    assert "errors" not in res, res
    (agg,) = res["data"]["Aggregate"]["Article"]
    matching = [
        ARTICLES[t] for t in expect(lambda a: any(CITY[i] == "Paris" for i in a.authors or []))
    ]
    assert agg["meta"]["count"] == len(matching) == 2
    assert agg["wordCount"]["sum"] == sum(a.words for a in matching)
    assert agg["wordCount"]["maximum"] == max(a.words for a in matching)


# ----------------------------------------------------------------------------- deletes


@pytest.fixture
def notes(graph):
    """Writer/Note classes of their own: the tests below delete objects."""
    for cls in ("Writer", "Note"):
        graph.schema.create_class(
            {"class": cls, "vectorizer": "none", "properties": [{"name": "name", **TEXT}]}
        )
    graph.schema.property.create("Note", {"name": "writtenBy", "dataType": ["Writer"]})
    writers = {f"e0000000-0000-4000-8000-00000000000{i}": f"w{i}" for i in range(3)}
    batch_import(graph, "Writer", [(i, {"name": n}, None) for i, n in writers.items()])
    w0, w1, w2 = writers
    links = {"n0": [w0, w1], "n1": [w1], "n2": [w2], "n3": [w0, w2], "n4": []}
    ids = {n: f"f0000000-0000-4000-8000-00000000000{k}" for k, n in enumerate(links)}
    batch_import(
        graph,
        "Note",
        [
            (ids[n], {"name": n, "writtenBy": [beacon("Writer", w) for w in ws]}, None)
            for n, ws in links.items()
        ],
    )
    yield graph, writers, links, ids
    for cls in ("Note", "Writer"):
        graph.schema.delete_class(cls)


def note_names(client, where=None):
    q = client.query.get("Note", ["name"]).with_limit(100)
    if where:
        q = q.with_where(where)
    res = q.do()
    assert "errors" not in res, res
    return sorted(r["name"] for r in res["data"]["Get"]["Note"])


def test_batch_delete_with_a_reference_filter(notes):
    client, writers, links, ids = notes
    w1 = list(writers)[1]
    where = {"path": ["writtenBy", "Writer", "name"], "operator": "Equal", "valueText": "w1"}
    res = client.batch.delete_objects("Note", where=where, output="verbose")
    gone = sorted(n for n, ws in links.items() if w1 in ws)
    assert res["results"]["matches"] == res["results"]["successful"] == len(gone) == 2
    assert res["results"]["failed"] == 0
    assert sorted(o["id"] for o in res["results"]["objects"]) == sorted(ids[n] for n in gone)
    assert all(o["status"] == "SUCCESS" for o in res["results"]["objects"])
    assert note_names(client) == sorted(set(links) - set(gone))


def test_dangling_beacons_after_the_target_is_deleted(node, notes):
    client, writers, links, ids = notes
    w0, w1, w2 = writers
    client.data_object.delete(w2, class_name="Writer")
    res = raw(client, "{ Get { Note(limit: 100) { name writtenBy { ... on Writer { name } } } } }")
    got = {r["name"]: r["writtenBy"] for r in res["data"]["Get"]["Note"]}
    assert got["n0"] == [{"name": "w0"}, {"name": "w1"}]
    assert got["n3"] == [{"name": "w0"}]  # the deleted writer is skipped
    assert got["n2"] in (None, [])  # nothing left to resolve
    # the beacon itself stays, as in Weaviate
    stored = client.data_object.get_by_id(ids["n2"], class_name="Note")["properties"]["writtenBy"]
    assert [r["beacon"] for r in stored] == [f"weaviate://localhost/Writer/{w2}"]
    # a filter through the reference no longer finds the deleted writer; the count still counts it
    assert (
        note_names(
            client,
            {"path": ["writtenBy", "Writer", "name"], "operator": "Equal", "valueText": "w2"},
        )
        == []
    )
    assert note_names(client, {"path": ["writtenBy"], "operator": "Equal", "valueInt": 2}) == [
        "n0",
        "n3",
    ]
    agg = client.query.aggregate("Note").with_meta_count().do()
    assert agg["data"]["Aggregate"]["Note"][0]["meta"]["count"] == len(links)
