"""Collection aliases with weaviate-client 4.24.1 (the node reports 1.32, so `client.alias` is
enabled): create / list_all / get / exists / update / delete over REST, and a collection used
through its alias with `client.collections.get("<alias>")`: REST inserts, gRPC batches,
searches, aggregations and batch deletes, GraphQL. Answers name the collection itself.

A switch (`alias.update`) under concurrent queries: every answer comes wholly from one of the
two collections, and none fails. Deleting a collection leaves its alias behind, as in Weaviate.
"""

import threading
import time

import pytest
from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.data import DataObject
from weaviate.classes.query import Filter
from weaviate.exceptions import UnexpectedStatusCodeError, WeaviateBaseError

from node import connect
from support import unique_name

TITLES_OLD = [f"old {i}" for i in range(6)]
TITLES_NEW = [f"new {i}" for i in range(9)]


def make_books(make_collection, titles):
    books = make_collection(
        "Books",
        vector_config=Configure.Vectors.self_provided(),
        properties=[Property(name="title", data_type=DataType.TEXT)],
    )
    objects = [
        DataObject(properties={"title": t}, vector=[1.0, float(i)]) for i, t in enumerate(titles)
    ]
    assert not books.data.insert_many(objects).has_errors
    return books


@pytest.fixture
def aliases(client):
    """Unique alias names; every one of them is deleted afterwards."""
    made = []

    def name():
        made.append(unique_name("Alias"))
        return made[-1]

    yield name
    for alias in made:
        client.alias.delete(alias_name=alias)


def answer(collection):
    """What one query through `collection` saw: (collections, sorted titles)."""
    result = collection.query.fetch_objects(limit=100)
    return (
        {o.collection for o in result.objects},
        sorted(o.properties["title"] for o in result.objects),
    )


def test_the_alias_api(client, make_collection, aliases):
    old = make_books(make_collection, TITLES_OLD)
    new = make_books(make_collection, TITLES_NEW)
    alias = aliases()
    client.alias.create(alias_name=alias, target_collection=old.name)

    listed = client.alias.list_all()
    assert listed[alias].collection == old.name
    assert set(client.alias.list_all(collection=old.name)) == {alias}
    assert client.alias.list_all(collection=new.name) == {}
    got = client.alias.get(alias_name=alias)
    assert (got.alias, got.collection) == (alias, old.name)
    assert client.alias.get(alias_name="NoSuchAlias") is None
    assert client.alias.exists(alias_name=alias)
    assert not client.alias.exists(alias_name="NoSuchAlias")

    assert client.alias.update(alias_name=alias, new_target_collection=new.name)
    assert client.alias.get(alias_name=alias).collection == new.name
    assert not client.alias.update(alias_name="NoSuchAlias", new_target_collection=new.name)

    assert client.alias.delete(alias_name=alias)
    assert not client.alias.delete(alias_name=alias)
    assert alias not in client.alias.list_all()
    assert client.collections.exists(new.name), "the collection outlives its alias"


def test_names_are_checked_and_shared_with_collections(client, make_collection, aliases):
    books = make_books(make_collection, TITLES_OLD)
    alias = aliases()
    client.alias.create(alias_name=alias, target_collection=books.name)
    refusals = [
        ("invalid_alias_!#", books.name, "is not a valid alias name"),
        (alias, books.name, "already exists"),
        (books.name, books.name, f"create alias: class {books.name} already exists"),
    ]
    for name, target, message in refusals:
        with pytest.raises(UnexpectedStatusCodeError) as refused:
            client.alias.create(alias_name=name, target_collection=target)
        assert refused.value.status_code == 422
        assert message in refused.value.message
    with pytest.raises(UnexpectedStatusCodeError) as refused:
        client.alias.create(alias_name=aliases(), target_collection="NoSuchCollection")
    assert refused.value.status_code == 404
    with pytest.raises(UnexpectedStatusCodeError) as refused:
        client.collections.create(alias)
    assert f"alias name {alias} already exists" in refused.value.message


def test_a_collection_through_its_alias(client, rest, make_collection, aliases):
    books = make_books(make_collection, TITLES_OLD)
    alias = aliases()
    client.alias.create(alias_name=alias, target_collection=books.name)
    through = client.collections.get(alias)

    assert client.collections.exists(alias)
    assert through.config.get().name == books.name
    uid = through.data.insert({"title": "rest insert"}, vector=[0.5, 0.5])
    batch = through.data.insert_many(
        [DataObject(properties={"title": "grpc batch"}, vector=[0.2, 0.1])]
    )
    assert not batch.has_errors
    with through.batch.fixed_size(batch_size=10) as b:
        b.add_object(properties={"title": "batch context"}, vector=[0.3, 0.3])
    assert not through.batch.failed_objects

    fetched = through.query.fetch_object_by_id(uid)
    assert (fetched.collection, fetched.properties["title"]) == (books.name, "rest insert")
    seen, titles = answer(through)
    assert seen == {books.name}
    assert titles == sorted(TITLES_OLD + ["rest insert", "grpc batch", "batch context"])
    near = through.query.near_vector([1.0, 0.0], limit=3)
    assert len(near.objects) == 3 and all(o.collection == books.name for o in near.objects)
    assert through.aggregate.over_all(total_count=True).total_count == len(TITLES_OLD) + 3
    assert len(through) == len(TITLES_OLD) + 3

    gql = client.graphql_raw_query(f"{{ Get {{ {alias}(limit: 100) {{ title }} }} }}")
    assert len(gql.get[alias]) == len(TITLES_OLD) + 3
    assert through.data.exists(uid)
    assert rest.get(f"/v1/objects/{alias}/{uid}").json()["class"] == books.name

    deleted = through.data.delete_many(where=Filter.by_property("title").equal("grpc batch"))
    assert deleted.successful == 1
    assert through.data.delete_by_id(uid)
    assert len(books) == len(TITLES_OLD) + 1


def test_queries_see_one_collection_or_the_other_while_the_alias_switches(
    node, client, make_collection, aliases
):
    old = make_books(make_collection, TITLES_OLD)
    new = make_books(make_collection, TITLES_NEW)
    alias = aliases()
    client.alias.create(alias_name=alias, target_collection=old.name)
    whole = {
        old.name: ({old.name}, sorted(TITLES_OLD)),
        new.name: ({new.name}, sorted(TITLES_NEW)),
    }
    seen = {old.name: 0, new.name: 0}
    problems = []
    done = threading.Event()

    def read():
        reader = connect(node)
        try:
            through = reader.collections.get(alias)
            while not done.is_set() or sum(seen.values()) < 40:
                try:
                    got = answer(through)
                except WeaviateBaseError as e:  # noqa: PERF203 - any failure is the finding
                    problems.append(f"query failed: {e}")
                    return
                match = [name for name, want in whole.items() if got == want]
                if not match:
                    problems.append(f"an answer from neither collection alone: {got}")
                    return
                seen[match[0]] += 1
        finally:
            reader.close()

    def reads_after_this_point(n):
        """Waits until the reader has finished n more reads: the last of them began after
        this call, so it saw what the alias pointed at by then. No timing is asserted; the
        deadline only stops a stuck reader from hanging the suite."""
        start, deadline = sum(seen.values()), time.monotonic() + 60
        while sum(seen.values()) < start + n and not problems and thread.is_alive():
            assert time.monotonic() < deadline, "the reader made no progress"
            time.sleep(0.001)

    thread = threading.Thread(target=read)
    thread.start()
    try:
        for i in range(30):
            target = new.name if i % 2 == 0 else old.name
            assert client.alias.update(alias_name=alias, new_target_collection=target)
            if i < 2:
                # Both collections are certainly read at least once, however the scheduler
                # runs the two threads; the later switches race the reader freely.
                reads_after_this_point(2)
    finally:
        done.set()
        thread.join(timeout=120)
    assert not thread.is_alive(), "the reader did not finish"
    assert not problems, problems
    assert seen[old.name] > 0 and seen[new.name] > 0, seen


def test_deleting_a_collection_leaves_its_alias(client, make_collection, aliases):
    books = make_books(make_collection, TITLES_OLD)
    other = make_books(make_collection, TITLES_NEW)
    alias = aliases()
    client.alias.create(alias_name=alias, target_collection=books.name)
    client.collections.delete(books.name)

    assert client.alias.get(alias_name=alias).collection == books.name
    through = client.collections.get(alias)
    with pytest.raises(WeaviateBaseError):
        through.query.fetch_objects()
    with pytest.raises(WeaviateBaseError):
        through.data.insert({"title": "orphan"})
    assert not client.collections.exists(books.name), "a write must not re-create it"

    assert client.alias.update(alias_name=alias, new_target_collection=other.name)
    assert answer(through) == ({other.name}, sorted(TITLES_NEW))
