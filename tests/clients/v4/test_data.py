"""`collection.data`: insert / update / replace / exists / delete_by_id go over REST,
insert_many (BatchObjects) and delete_many (BatchDelete) over gRPC, and objects are read back
through gRPC Search (`fetch_object_by_id`) and raw REST. Every property type is covered, with
the values the client gets back typed as Weaviate types them."""

import datetime as dt
import uuid

import pytest
from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.data import DataObject, GeoCoordinate, PhoneNumber
from weaviate.classes.query import Filter
from weaviate.exceptions import UnexpectedStatusCodeError, WeaviateInsertManyAllFailedError

UTC = dt.timezone.utc
REF_A = uuid.UUID("6f0c1d8e-4b1a-4c55-9a57-0b8e3d1f2a01")
REF_B = uuid.UUID("0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d")

PROPERTIES = [
    Property(name="title", data_type=DataType.TEXT),
    Property(name="tags", data_type=DataType.TEXT_ARRAY),
    Property(name="pages", data_type=DataType.INT),
    Property(name="ratings", data_type=DataType.INT_ARRAY),
    Property(name="price", data_type=DataType.NUMBER),
    Property(name="weights", data_type=DataType.NUMBER_ARRAY),
    Property(name="available", data_type=DataType.BOOL),
    Property(name="flags", data_type=DataType.BOOL_ARRAY),
    Property(name="published", data_type=DataType.DATE),
    Property(name="editions", data_type=DataType.DATE_ARRAY),
    Property(name="refId", data_type=DataType.UUID),
    Property(name="refIds", data_type=DataType.UUID_ARRAY),
    Property(name="location", data_type=DataType.GEO_COORDINATES),
    Property(name="phone", data_type=DataType.PHONE_NUMBER),
    Property(
        name="author",
        data_type=DataType.OBJECT,
        nested_properties=[
            Property(name="name", data_type=DataType.TEXT),
            Property(name="born", data_type=DataType.INT),
        ],
    ),
    Property(
        name="chapters",
        data_type=DataType.OBJECT_ARRAY,
        nested_properties=[
            Property(name="title", data_type=DataType.TEXT),
            Property(name="page", data_type=DataType.INT),
            Property(name="score", data_type=DataType.NUMBER),
        ],
    ),
]


def book(i):
    """Every property type, distinct per i."""
    return {
        "title": f"Book {i}",
        "tags": ["sea", f"tag{i}"],
        "pages": 100 + i,
        "ratings": [5, i, 3],
        "price": 10.25 + i,
        "weights": [0.5, 1.25 + i],
        "available": i % 2 == 0,
        "flags": [True, i % 2 == 1],
        "published": dt.datetime(1851, 10, 18, 12, 30, i, tzinfo=UTC),
        "editions": [dt.datetime(1900 + i, 1, 2, tzinfo=UTC), dt.datetime(2001, 3, 4, tzinfo=UTC)],
        "refId": REF_A,
        "refIds": [REF_A, REF_B],
        "location": GeoCoordinate(latitude=52.37, longitude=4.89 + i / 10),
        "phone": PhoneNumber(number="020 1234567", default_country="NL"),
        "author": {"name": "Herman Melville", "born": 1819 + i},
        "chapters": [
            {"title": "Loomings", "page": 1, "score": 0.5},
            {"title": f"Chapter {i}", "page": 9 + i, "score": 1.5},
        ],
    }


def assert_book(got, want):
    """The typed values v4 hands back from gRPC equal what was written."""
    simple = ["title", "tags", "pages", "ratings", "available", "flags", "refId", "refIds"]
    for key in simple:
        assert got[key] == want[key], (key, got[key], want[key])
        assert type(got[key]) is type(want[key]), (key, type(got[key]))
    assert got["price"] == pytest.approx(want["price"])
    assert isinstance(got["price"], float)
    assert got["weights"] == pytest.approx(want["weights"])
    assert got["published"] == want["published"]
    assert got["editions"] == want["editions"]
    assert got["location"].latitude == pytest.approx(want["location"].latitude, abs=1e-5)
    assert got["location"].longitude == pytest.approx(want["location"].longitude, abs=1e-5)
    assert got["author"] == want["author"]
    assert got["chapters"] == want["chapters"]
    phone = got["phone"]
    assert (phone.number, phone.default_country) == ("020 1234567", "NL")
    # what Weaviate's libphonenumber parse gives for this input
    assert (phone.country_code, phone.national, phone.valid) == (31, 201234567, True)
    assert phone.international_formatted == "+31 20 123 4567"
    assert phone.national_formatted == "020 123 4567"


@pytest.fixture
def books(make_collection):
    return make_collection(
        "Book",
        vectorizer_config=Configure.Vectorizer.none(),
        vector_index_config=Configure.VectorIndex.flat(),
        properties=PROPERTIES,
    )


@pytest.fixture
def named(make_collection):
    return make_collection(
        "Named",
        vector_config=[
            Configure.Vectors.self_provided(name="title"),
            Configure.Vectors.self_provided(
                name="body", vector_index_config=Configure.VectorIndex.flat()
            ),
        ],
        properties=[Property(name="text", data_type=DataType.TEXT)],
    )


def test_insert_every_type_read_over_rest(books, rest):
    oid = books.data.insert(book(1), vector=[0.1, 0.2, 0.3])
    body = rest.get(f"/v1/objects/{books.name}/{oid}", params={"include": "vector"}).json()
    props = body["properties"]
    assert body["id"] == str(oid) and body["class"] == books.name
    assert body["vector"] == pytest.approx([0.1, 0.2, 0.3])
    assert props["pages"] == 101 and props["ratings"] == [5, 1, 3]
    assert props["tags"] == ["sea", "tag1"] and props["flags"] == [True, True]
    assert props["refIds"] == [str(REF_A), str(REF_B)]
    published = dt.datetime.fromisoformat(props["published"].replace("Z", "+00:00"))
    assert published == book(1)["published"]
    assert props["location"]["latitude"] == pytest.approx(52.37, abs=1e-5)
    assert props["author"] == {"name": "Herman Melville", "born": 1820}
    assert props["phone"]["input"] == "020 1234567"
    assert props["phone"]["countryCode"] == 31


def test_insert_every_type_read_over_grpc(books):
    want = book(2)
    oid = books.data.insert(want, vector=[1.0, 0.0, 0.5])
    obj = books.query.fetch_object_by_id(oid, include_vector=True)
    assert obj.uuid == oid
    assert obj.vector["default"] == pytest.approx([1.0, 0.0, 0.5])
    assert_book(obj.properties, want)


def test_insert_many_every_type(books):
    ids = [uuid.uuid4() for _ in range(5)]
    res = books.data.insert_many(
        [DataObject(properties=book(i), uuid=ids[i], vector=[i, 1.0, 2.0]) for i in range(5)]
    )
    assert not res.has_errors, res.errors
    assert res.uuids == dict(enumerate(ids))
    for i, oid in enumerate(ids):
        obj = books.query.fetch_object_by_id(oid, include_vector=True)
        assert_book(obj.properties, book(i))
        assert obj.vector["default"] == pytest.approx([i, 1.0, 2.0])
    assert len(books) == 5


def test_insert_many_errors_at_their_index(books):
    objs = [
        DataObject(properties={"title": "ok 0", "pages": 1}, vector=[1.0, 2.0, 3.0]),
        DataObject(properties={"title": "bad type", "pages": "many"}, vector=[1.0, 2.0, 3.0]),
        DataObject(properties={"title": "ok 2", "pages": 2}, vector=[3.0, 2.0, 1.0]),
        DataObject(properties={"title": "bad dims", "pages": 3}, vector=[1.0, 2.0]),
        DataObject(properties={"title": "ok 4", "pages": 4}, vector=[0.0, 2.0, 1.0]),
    ]
    res = books.data.insert_many(objs)
    assert res.has_errors
    assert sorted(res.errors) == [1, 3], res.errors
    assert "pages" in res.errors[1].message, res.errors[1].message
    assert res.errors[1].object_.properties["title"] == "bad type"
    assert sorted(res.uuids) == [0, 2, 4]
    titles = sorted(o.properties["title"] for o in books.query.fetch_objects(limit=20).objects)
    assert titles == ["ok 0", "ok 2", "ok 4"]


def test_insert_many_all_failed_raises(books):
    with pytest.raises(WeaviateInsertManyAllFailedError):
        books.data.insert_many([{"pages": "x"}, {"pages": "y"}])


def test_insert_with_named_vectors(named):
    oid = named.data.insert({"text": "hello"}, vector={"title": [1.0, 0.0], "body": [0, 1, 2]})
    obj = named.query.fetch_object_by_id(oid, include_vector=True)
    assert set(obj.vector) == {"title", "body"}
    assert obj.vector["title"] == pytest.approx([1.0, 0.0])
    assert obj.vector["body"] == pytest.approx([0.0, 1.0, 2.0])
    only = named.query.fetch_object_by_id(oid, include_vector=["body"])
    assert set(only.vector) == {"body"}


def test_insert_many_with_named_vectors(named):
    res = named.data.insert_many(
        [
            DataObject(
                properties={"text": f"t{i}"}, vector={"title": [i, 1.0], "body": [1.0, i, 0]}
            )
            for i in range(4)
        ]
    )
    assert not res.has_errors, res.errors
    for i, oid in res.uuids.items():
        obj = named.query.fetch_object_by_id(oid, include_vector=True)
        assert obj.properties["text"] == f"t{i}"
        assert obj.vector["title"] == pytest.approx([i, 1.0])
        assert obj.vector["body"] == pytest.approx([1.0, i, 0.0])


def test_update_merges_and_keeps_creation_time(books):
    oid = books.data.insert({"title": "draft", "pages": 10, "tags": ["a"]}, vector=[1, 1, 1])
    before = books.query.fetch_object_by_id(oid)
    books.data.update(oid, properties={"pages": 11})
    after = books.query.fetch_object_by_id(oid, include_vector=True)
    assert after.properties["title"] == "draft"
    assert after.properties["tags"] == ["a"]
    assert after.properties["pages"] == 11
    assert after.vector["default"] == pytest.approx([1, 1, 1])
    assert after.metadata.creation_time == before.metadata.creation_time
    assert after.metadata.last_update_time > before.metadata.last_update_time


def test_update_vector_only(books):
    oid = books.data.insert({"title": "v"}, vector=[1, 2, 3])
    books.data.update(oid, vector=[3, 2, 1])
    obj = books.query.fetch_object_by_id(oid, include_vector=True)
    assert obj.vector["default"] == pytest.approx([3, 2, 1])
    assert obj.properties["title"] == "v"


def test_replace_drops_missing_properties(books):
    oid = books.data.insert({"title": "old", "pages": 10}, vector=[1, 2, 3])
    books.data.replace(oid, properties={"title": "new"}, vector=[0.5, 0.5, 0.5])
    obj = books.query.fetch_object_by_id(oid, include_vector=True)
    assert obj.properties["title"] == "new"
    assert obj.properties.get("pages") is None
    assert obj.vector["default"] == pytest.approx([0.5, 0.5, 0.5])


def test_update_of_missing_object_fails(books):
    with pytest.raises(UnexpectedStatusCodeError) as err:
        books.data.update(uuid.uuid4(), properties={"pages": 1})
    assert err.value.status_code == 404


def test_exists_and_delete_by_id(books):
    oid = books.data.insert({"title": "gone soon"}, vector=[1, 0, 0])
    assert books.data.exists(oid)
    assert books.data.delete_by_id(oid) is True
    assert not books.data.exists(oid)
    assert books.data.delete_by_id(oid) is False
    assert books.query.fetch_object_by_id(oid) is None


def test_insert_with_existing_id_is_refused(books):
    oid = books.data.insert({"title": "first"}, vector=[1, 0, 0])
    with pytest.raises(UnexpectedStatusCodeError) as err:
        books.data.insert({"title": "second"}, uuid=oid, vector=[1, 0, 0])
    assert err.value.status_code == 422
    assert "already exists" in str(err.value)


def test_delete_many_dry_run_then_for_real(books):
    res = books.data.insert_many(
        [DataObject(properties={"pages": i}, vector=[i, 1, 1]) for i in range(10)]
    )
    assert not res.has_errors
    small = {res.uuids[i] for i in range(4)}
    where = Filter.by_property("pages").less_than(4)
    dry = books.data.delete_many(where=where, dry_run=True, verbose=True)
    assert (dry.matches, dry.successful, dry.failed) == (4, 4, 0)
    assert {o.uuid for o in dry.objects} == small
    assert all(o.successful for o in dry.objects)
    assert len(books) == 10
    real = books.data.delete_many(where=where, verbose=True)
    assert (real.matches, real.successful, real.failed) == (4, 4, 0)
    assert {o.uuid for o in real.objects} == small
    assert len(books) == 6
    quiet = books.data.delete_many(where=Filter.by_property("pages").greater_or_equal(8))
    assert (quiet.matches, quiet.successful, quiet.failed) == (2, 2, 0)
    assert not quiet.objects
    left = {o.properties["pages"] for o in books.query.fetch_objects(limit=20).objects}
    assert left == {4, 5, 6, 7}


def test_delete_many_by_id(books):
    res = books.data.insert_many([{"pages": i} for i in range(3)])
    target = res.uuids[1]
    out = books.data.delete_many(where=Filter.by_id().equal(target))
    assert (out.matches, out.successful) == (1, 1)
    assert not books.data.exists(target)
    assert books.data.exists(res.uuids[0]) and books.data.exists(res.uuids[2])
