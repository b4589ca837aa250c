"""Cross-references with weaviate-client 4.24.1: collections with single- and multi-target
reference properties, references written at insert (REST `POST /v1/objects`, beacons in the
properties) and in `insert_many` (gRPC BatchObjects `single_target_ref_props` /
`multi_target_ref_props`), `reference_add` / `reference_replace` / `reference_delete` (REST
`POST/PUT/DELETE /v1/objects/{C}/{id}/references/{prop}`, one class-less beacon per call unless
`ReferenceToMulti` names the class), `reference_add_many` (REST `POST /v1/batch/references`: this
client version never calls gRPC BatchReferences), references returned by gRPC Search
(`return_references`, nested, multi-target), dangling beacons, and refused writes.

Expected sentences are Weaviate's (usecases/objects/references_add.go, batch_references_add.go,
validation/model_validation.go, entities/schema/crossref/crossref.go, entities/schema/errors.go);
the "empty references" shapes are those the client's own integration suite checks against
Weaviate (integration/test_collection_references.py).
"""

import uuid
from types import SimpleNamespace

import pytest
from weaviate.classes.config import Configure, DataType, Property, ReferenceProperty, Tokenization
from weaviate.classes.data import DataObject, DataReference, ReferenceToMulti
from weaviate.classes.query import MetadataQuery, QueryReference
from weaviate.exceptions import UnexpectedStatusCodeError

from support import unique_name

ADA, BEA, CAS = (uuid.UUID(f"a0000000-0000-4000-8000-00000000000{i}") for i in range(1, 4))
PEN, QUE = (uuid.UUID(f"b0000000-0000-4000-8000-00000000000{i}") for i in range(1, 3))
AMS, PAR = (uuid.UUID(f"c0000000-0000-4000-8000-00000000000{i}") for i in range(1, 3))
AUTHORS = {
    ADA: ("Ada", 36, [1.0, 0.0], AMS),
    BEA: ("Bea", 52, [0.0, 1.0], PAR),
    CAS: ("Cas", 41, [0.6, 0.8], None),
}
PUBLISHERS = {PEN: "Penguin", QUE: "Querido"}
CITIES = {AMS: "Amsterdam", PAR: "Paris"}


def name_prop(name="name"):
    return Property(name=name, data_type=DataType.TEXT, tokenization=Tokenization.FIELD)


@pytest.fixture(scope="module")
def lib(client):
    """City <-livesIn- Author <-hasAuthors- Article -hasSources-> Author | Publisher."""
    made = []

    def create(prefix, **kw):
        name = unique_name(prefix)
        made.append(name)
        return client.collections.create(name, vectorizer_config=Configure.Vectorizer.none(), **kw)

    cities = create("City", properties=[name_prop()])
    authors = create(
        "Author",
        properties=[name_prop(), Property(name="age", data_type=DataType.INT)],
        references=[ReferenceProperty(name="livesIn", target_collection=cities.name)],
    )
    publishers = create("Publisher", properties=[name_prop()])
    articles = create(
        "Article",
        properties=[name_prop("title")],
        references=[
            ReferenceProperty(name="hasAuthors", target_collection=authors.name),
            ReferenceProperty.MultiTarget(
                name="hasSources", target_collections=[authors.name, publishers.name]
            ),
        ],
    )
    res = cities.data.insert_many([DataObject({"name": n}, uuid=i) for i, n in CITIES.items()])
    assert not res.has_errors, res.errors
    res = authors.data.insert_many(
        [
            DataObject(
                {"name": n, "age": age}, uuid=i, vector=v, references={"livesIn": c} if c else None
            )
            for i, (n, age, v, c) in AUTHORS.items()
        ]
    )
    assert not res.has_errors, res.errors
    res = publishers.data.insert_many(
        [DataObject({"name": n}, uuid=i) for i, n in PUBLISHERS.items()]
    )
    assert not res.has_errors, res.errors
    yield SimpleNamespace(cities=cities, authors=authors, publishers=publishers, articles=articles)
    for name in reversed(made):
        client.collections.delete(name)


def stored(rest, col, oid):
    res = rest.get(f"/v1/objects/{col.name}/{oid}")
    assert res.status_code == 200, res.text
    return res.json()["properties"]


def refs(col, *ids):
    """References as `GET /v1/objects` returns them."""
    return [
        {"beacon": f"weaviate://localhost/{col.name}/{i}", "href": f"/v1/objects/{col.name}/{i}"}
        for i in ids
    ]


def fetch(col, oid, *references):
    obj = col.query.fetch_object_by_id(oid, return_references=list(references))
    assert obj is not None
    return obj


def ref_uuids(obj, prop):
    return [o.uuid for o in obj.references[prop].objects]


def test_collections_with_reference_properties(lib, rest):
    cfg = lib.articles.config.get()
    got = {r.name: r.target_collections for r in cfg.references}
    assert got == {
        "hasAuthors": [lib.authors.name],
        "hasSources": [lib.authors.name, lib.publishers.name],
    }
    assert [p.name for p in cfg.properties] == ["title"]
    schema = rest.get(f"/v1/schema/{lib.articles.name}").json()
    types = {p["name"]: p["dataType"] for p in schema["properties"]}
    assert types["hasSources"] == [lib.authors.name, lib.publishers.name]


def test_insert_stores_beacons(lib, rest):
    oid = lib.articles.data.insert(
        {"title": "one"},
        references={
            "hasAuthors": [ADA, BEA],
            "hasSources": ReferenceToMulti(target_collection=lib.publishers.name, uuids=PEN),
        },
    )
    props = stored(rest, lib.articles, oid)
    assert props == {
        "title": "one",
        "hasAuthors": refs(lib.authors, ADA, BEA),
        "hasSources": refs(lib.publishers, PEN),
    }


def test_insert_many_with_references(lib, rest):
    a, p = lib.authors.name, lib.publishers.name
    rows = [
        ({"hasAuthors": ADA}, [ADA], []),
        ({"hasAuthors": [CAS, ADA]}, [CAS, ADA], []),
        ({"hasSources": ReferenceToMulti(target_collection=p, uuids=[QUE, PEN])}, [], [QUE, PEN]),
        (
            {
                "hasAuthors": str(BEA),
                "hasSources": ReferenceToMulti(target_collection=a, uuids=BEA),
            },
            [BEA],
            [],
        ),
    ]
    res = lib.articles.data.insert_many(
        [DataObject({"title": f"many {i}"}, references=r) for i, (r, _, _) in enumerate(rows)]
    )
    assert not res.has_errors, res.errors
    q_authors = QueryReference(link_on="hasAuthors", return_properties=["name"])
    q_pubs = QueryReference.MultiTarget(link_on="hasSources", target_collection=p)
    for i, (r, want_authors, want_pubs) in enumerate(rows):
        obj = fetch(lib.articles, res.uuids[i], q_authors, q_pubs)
        got = obj.references or {}
        got_authors = ref_uuids(obj, "hasAuthors") if "hasAuthors" in got else []
        got_pubs = ref_uuids(obj, "hasSources") if want_pubs else []
        assert (got_authors, got_pubs) == (want_authors, want_pubs), i
    props = stored(rest, lib.articles, res.uuids[3])
    assert props["hasAuthors"] == refs(lib.authors, BEA)
    assert props["hasSources"] == refs(lib.authors, BEA)
    assert stored(rest, lib.articles, res.uuids[2])["hasSources"] == refs(lib.publishers, QUE, PEN)


def test_reference_add_replace_delete(lib, rest):
    data = lib.articles.data
    oid = data.insert({"title": "edited"})
    data.reference_add(oid, "hasAuthors", ADA)
    data.reference_add(oid, "hasAuthors", BEA)
    data.reference_add(
        oid, "hasSources", ReferenceToMulti(target_collection=lib.publishers.name, uuids=QUE)
    )
    props = stored(rest, lib.articles, oid)
    assert props["hasAuthors"] == refs(lib.authors, ADA, BEA)
    assert props["hasSources"] == refs(lib.publishers, QUE)
    data.reference_replace(oid, "hasAuthors", [CAS, ADA])
    assert stored(rest, lib.articles, oid)["hasAuthors"] == refs(lib.authors, CAS, ADA)
    data.reference_delete(oid, "hasAuthors", CAS)
    assert stored(rest, lib.articles, oid)["hasAuthors"] == refs(lib.authors, ADA)
    data.reference_replace(oid, "hasAuthors", [])
    assert stored(rest, lib.articles, oid)["hasAuthors"] == []
    obj = fetch(lib.articles, oid, QueryReference(link_on="hasAuthors"))
    assert obj.references["hasAuthors"].objects == []
    assert stored(rest, lib.articles, oid)["title"] == "edited"


def test_reference_add_many(lib, rest):
    data = lib.articles.data
    a, b = data.insert({"title": "a"}), data.insert({"title": "b"})
    res = data.reference_add_many(
        [
            DataReference(from_property="hasAuthors", from_uuid=a, to_uuid=ADA),
            DataReference(from_property="hasAuthors", from_uuid=b, to_uuid=[BEA, CAS]),
            DataReference.MultiTarget(
                from_property="hasSources",
                from_uuid=a,
                to_uuid=PEN,
                target_collection=lib.publishers.name,
            ),
            # batch references lower-case the target id (batch_references_add.go)
            DataReference(from_property="hasAuthors", from_uuid=a, to_uuid=str(CAS).upper()),
        ]
    )
    assert not res.has_errors, res.errors
    assert stored(rest, lib.articles, a)["hasAuthors"] == refs(lib.authors, ADA, CAS)
    assert stored(rest, lib.articles, a)["hasSources"] == refs(lib.publishers, PEN)
    assert stored(rest, lib.articles, b)["hasAuthors"] == refs(lib.authors, BEA, CAS)


def test_reference_add_many_reports_errors_at_their_index(lib, rest):
    data = lib.articles.data
    a = data.insert({"title": "partly"})
    res = data.reference_add_many(
        [
            DataReference(from_property="hasAuthors", from_uuid=a, to_uuid=ADA),
            DataReference(from_property="nope", from_uuid=a, to_uuid=BEA),
            DataReference(from_property="hasAuthors", from_uuid=a, to_uuid=CAS),
        ]
    )
    assert res.has_errors
    assert list(res.errors) == [1]
    assert f"property nope does not exist for class {lib.articles.name}" in res.errors[1].message
    assert res.errors[1].reference.from_property_name == "nope"
    assert stored(rest, lib.articles, a)["hasAuthors"] == refs(lib.authors, ADA, CAS)


def test_return_references_with_properties_metadata_and_vector(lib):
    oid = lib.articles.data.insert({"title": "read"}, references={"hasAuthors": [BEA, ADA]})
    obj = fetch(
        lib.articles,
        oid,
        QueryReference(
            link_on="hasAuthors",
            return_properties=["name", "age"],
            return_metadata=MetadataQuery(creation_time=True),
            include_vector=True,
        ),
    )
    assert obj.properties["title"] == "read"
    got = obj.references["hasAuthors"].objects
    assert [o.uuid for o in got] == [BEA, ADA]
    for o in got:
        name, age, vector, _ = AUTHORS[o.uuid]
        assert o.collection == lib.authors.name
        assert o.properties == {"name": name, "age": age}
        assert type(o.properties["age"]) is int
        assert o.metadata.creation_time is not None
        assert o.vector["default"] == pytest.approx(vector)


def test_nested_references_two_levels(lib):
    oid = lib.articles.data.insert({"title": "deep"}, references={"hasAuthors": [CAS, BEA, ADA]})
    obj = fetch(
        lib.articles,
        oid,
        QueryReference(
            link_on="hasAuthors",
            return_properties=["name"],
            return_references=QueryReference(link_on="livesIn", return_properties=["name"]),
        ),
    )
    got = []
    for author in obj.references["hasAuthors"].objects:
        cities = author.references.get("livesIn") if author.references else None
        got.append(
            (
                author.properties["name"],
                [c.properties["name"] for c in cities.objects] if cities else [],
            )
        )
    assert got == [("Cas", []), ("Bea", ["Paris"]), ("Ada", ["Amsterdam"])]
    ada = obj.references["hasAuthors"].objects[2]
    assert ada.references["livesIn"].objects[0].uuid == AMS
    assert ada.references["livesIn"].objects[0].collection == lib.cities.name


def test_multi_target_query_reference(lib):
    a, p = lib.authors.name, lib.publishers.name
    oid = lib.articles.data.insert({"title": "sources"})
    lib.articles.data.reference_add(
        oid, "hasSources", ReferenceToMulti(target_collection=a, uuids=ADA)
    )
    lib.articles.data.reference_add(
        oid, "hasSources", ReferenceToMulti(target_collection=p, uuids=PEN)
    )
    lib.articles.data.reference_add(
        oid, "hasSources", ReferenceToMulti(target_collection=a, uuids=BEA)
    )
    for target, want in [(p, ["Penguin"]), (a, ["Ada", "Bea"])]:
        obj = fetch(
            lib.articles,
            oid,
            QueryReference.MultiTarget(
                link_on="hasSources", target_collection=target, return_properties=["name"]
            ),
        )
        got = obj.references["hasSources"].objects
        assert [o.properties["name"] for o in got] == want
        assert {o.collection for o in got} == {target}


def test_objects_without_references(lib):
    bare = lib.articles.data.insert({"title": "bare"})
    obj = fetch(lib.articles, bare, QueryReference(link_on="hasAuthors"))
    assert obj.references == {}
    half = lib.articles.data.insert({"title": "half"}, references={"hasAuthors": ADA})
    obj = fetch(
        lib.articles,
        half,
        QueryReference(link_on="hasAuthors"),
        QueryReference.MultiTarget(link_on="hasSources", target_collection=lib.publishers.name),
    )
    assert "hasSources" not in obj.references
    assert ref_uuids(obj, "hasAuthors") == [ADA]


def test_dangling_references_are_skipped(make_collection, rest):
    writers = make_collection(
        "Writer", vectorizer_config=Configure.Vectorizer.none(), properties=[name_prop()]
    )
    notes = make_collection(
        "Note",
        vectorizer_config=Configure.Vectorizer.none(),
        properties=[name_prop()],
        references=[ReferenceProperty(name="writtenBy", target_collection=writers.name)],
    )
    w = writers.data.insert_many([{"name": f"w{i}"} for i in range(2)]).uuids
    both = notes.data.insert({"name": "both"}, references={"writtenBy": [w[0], w[1]]})
    only = notes.data.insert({"name": "only"}, references={"writtenBy": w[1]})
    assert writers.data.delete_by_id(w[1])
    q = QueryReference(link_on="writtenBy", return_properties=["name"])
    obj = fetch(notes, both, q)
    assert [(o.uuid, o.properties["name"]) for o in obj.references["writtenBy"].objects] == [
        (w[0], "w0")
    ]
    obj = fetch(notes, only, q)
    # nothing left to resolve: Weaviate leaves the property out, an empty list means the same
    left = (obj.references or {}).get("writtenBy")
    assert left is None or left.objects == []
    # the beacons stay, as in Weaviate
    assert stored(rest, notes, both)["writtenBy"] == refs(writers, w[0], w[1])
    listed = notes.query.fetch_objects(limit=10, return_references=q).objects
    assert sorted(o.properties["name"] for o in listed) == ["both", "only"]


# ----------------------------------------------------------------------------- refused writes


def rest_message(err):
    body = err.value.error
    assert isinstance(body, dict) and len(body["error"]) == 1, body
    return body["error"][0]["message"]


def test_refused_reference_add(lib, rest):
    data = lib.articles.data
    oid = data.insert({"title": "guarded"}, references={"hasAuthors": ADA})
    missing = uuid.UUID("c0000000-0000-4000-8000-00000000dead")
    cases = [
        (
            "nope",
            BEA,
            f"no such prop with name 'nope' found in class '{lib.articles.name}' in the schema",
        ),
        ("title", BEA, "property 'title' is not a reference-type"),
        ("hasAuthors", "not-a-uuid", "path segment must be uuid, but got 'not-a-uuid'"),
        ("hasAuthors", missing, f"no object with id {missing} found"),
    ]
    for prop, to, message in cases:
        with pytest.raises(UnexpectedStatusCodeError) as err:
            data.reference_add(oid, prop, to)
        assert err.value.status_code == 422, (prop, to)
        assert message in rest_message(err), (prop, to)
    assert stored(rest, lib.articles, oid)["hasAuthors"] == refs(lib.authors, ADA)


def test_reference_add_to_a_missing_source_is_404(lib):
    with pytest.raises(UnexpectedStatusCodeError) as err:
        lib.articles.data.reference_add(uuid.uuid4(), "hasAuthors", ADA)
    assert err.value.status_code == 404


def test_a_beacon_to_a_class_the_property_does_not_name(lib, rest):
    # Shoal's rule from issue 14 (Weaviate 1.27 only checks that the object exists in the
    # beacon's class): the message must name the class and the property.
    oid = lib.articles.data.insert({"title": "strict"})
    to = ReferenceToMulti(target_collection=lib.publishers.name, uuids=PEN)
    with pytest.raises(UnexpectedStatusCodeError) as err:
        lib.articles.data.reference_add(oid, "hasAuthors", to)
    assert err.value.status_code == 422
    message = rest_message(err)
    assert lib.publishers.name in message and "hasAuthors" in message, message
    assert "hasAuthors" not in stored(rest, lib.articles, oid)


def test_insert_with_a_reference_to_a_missing_object(lib):
    missing = uuid.UUID("c0000000-0000-4000-8000-00000000beef")
    with pytest.raises(UnexpectedStatusCodeError) as err:
        lib.articles.data.insert({"title": "x"}, references={"hasAuthors": missing})
    assert err.value.status_code == 422
    assert f"no object with id {missing} found" in rest_message(err)


def test_insert_many_refuses_references_that_do_not_fit(lib):
    a = lib.authors.name
    res = lib.articles.data.insert_many(
        [
            DataObject({"title": "fine"}, references={"hasAuthors": ADA}),
            DataObject({"title": "unknown"}, references={"nope": ADA}),
            DataObject({"title": "single into multi"}, references={"hasSources": ADA}),
            DataObject(
                {"title": "multi into single"},
                references={"hasAuthors": ReferenceToMulti(target_collection=a, uuids=ADA)},
            ),
        ]
    )
    # adapters/handlers/grpc/v1/batch_parse_request.go
    assert sorted(res.errors) == [1, 2, 3]
    assert (
        f"no such prop with name 'nope' found in class '{lib.articles.name}' in the schema"
        in res.errors[1].message
    )
    assert "target is a multi-target reference, need single target" in res.errors[2].message
    assert "target is a single-target reference, need multi-target" in res.errors[3].message
    assert list(res.uuids) == [0]
