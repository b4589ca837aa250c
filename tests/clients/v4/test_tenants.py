"""Multi-tenancy with weaviate-client 4.24.1: collections created with
`Configure.multi_tenancy(...)` and reconfigured, `collection.tenants.*` (create, get over gRPC
`TenantsGet`, get_by_name over REST for servers >= 1.28, get_by_names, update, activate,
deactivate, offload, remove, exists), `collection.with_tenant(t)` on the data calls (REST insert,
replace, update, exists, delete_by_id; gRPC BatchObjects and BatchDelete), the queries (gRPC
Search: fetch_objects, fetch_object_by_id, near_vector, bm25, hybrid) and aggregations (gRPC
Aggregate), `client.batch.dynamic()` with a tenant per object, tenant isolation, the errors the
client raises, a tenant going inactive and active again, removing and re-adding a tenant,
automatic tenant creation and activation, and tenants surviving a restart.

The server keeps Weaviate's legacy status names (HOT, COLD) on the wire; the client maps them to
`TenantActivityStatus.ACTIVE` / `INACTIVE`. Expected behaviour is Weaviate's (1.26-1.29), read
from its source: usecases/schema/tenant.go, cluster/schema/meta_class.go, adapters/repos/db/
index.go, usecases/objects/add.go and batch_add.go (auto tenant creation through AddTenants) and
the acceptance tests under test/acceptance/multi_tenancy/.

`collection.tenants.get()` on a collection without multi-tenancy: Weaviate answers `TenantsGet`
with a gRPC error whose message says `multi-tenancy is not enabled for class "<name>"`, and the
client raises `WeaviateTenantGetError`; that error must not be UNAVAILABLE, which the client would
retry for half a minute.

BM25 statistics are per tenant (a tenant is one shard of its own), so the reference scores are
computed over one tenant's documents. Cross-references into or out of tenants are not
implemented yet and are not tested here. A cluster run (--cluster) skips the restart test only.
"""

import time
import uuid as uuidlib

import numpy as np
import pytest
from weaviate.classes.config import Configure, DataType, Property, Reconfigure
from weaviate.classes.data import DataObject
from weaviate.classes.query import Filter, MetadataQuery
from weaviate.classes.tenants import Tenant, TenantActivityStatus
from weaviate.exceptions import (
    UnexpectedStatusCodeError,
    WeaviateDeleteManyError,
    WeaviateInsertManyAllFailedError,
    WeaviateQueryError,
    WeaviateTenantGetError,
)

from node import connect
from support import (
    as_list,
    assert_ranked,
    bm25_scores,
    distances,
    seeded_uuids,
    tol,
    unique_name,
)

ACTIVE, INACTIVE = TenantActivityStatus.ACTIVE, TenantActivityStatus.INACTIVE
PROPS = [
    Property(name="text", data_type=DataType.TEXT),
    Property(name="n", data_type=DataType.INT),
]


def mt_collection(make_collection, auto_create=None, auto_activate=None):
    return make_collection(
        prefix="Mt",
        vectorizer_config=Configure.Vectorizer.none(),
        properties=PROPS,
        multi_tenancy_config=Configure.multi_tenancy(
            enabled=True, auto_tenant_creation=auto_create, auto_tenant_activation=auto_activate
        ),
    )


def statuses(col):
    return {name: t.activity_status for name, t in col.tenants.get().items()}


def without_tenant(col):
    return f"class {col.name} has multi-tenancy enabled, but request was without tenant"


def with_tenant(col):
    return f"class {col.name} has multi-tenancy disabled, but request was with tenant"


def not_found(tenant):
    return f'tenant not found: "{tenant}"'


def uuids(objects):
    return {str(o.uuid) for o in objects}


# ----------------------------------------------------------------------------- without tenants


def test_tenants_get_without_multi_tenancy(make_collection):
    col = make_collection(vectorizer_config=Configure.Vectorizer.none())
    assert col.config.get().multi_tenancy_config.enabled is False
    start = time.monotonic()
    with pytest.raises(WeaviateTenantGetError) as err:
        col.tenants.get()
    assert time.monotonic() - start < 5, "the error was retried: it must not be UNAVAILABLE"
    assert "multi-tenancy is not enabled" in str(err.value), err.value
    assert col.name in str(err.value)


def test_tenants_get_by_names_without_multi_tenancy(make_collection):
    col = make_collection(vectorizer_config=Configure.Vectorizer.none())
    with pytest.raises(WeaviateTenantGetError) as err:
        col.tenants.get_by_names(["t1"])
    assert "multi-tenancy is not enabled" in str(err.value), err.value


def test_tenants_get_of_a_missing_collection(client):
    col = client.collections.get(unique_name("Missing"))
    with pytest.raises(WeaviateTenantGetError):
        col.tenants.get()


def test_tenants_get_of_a_multi_tenant_collection_without_tenants(make_collection):
    """A multi-tenant collection that has no tenant yet answers `TenantsGet` with none."""
    col = make_collection(
        vectorizer_config=Configure.Vectorizer.none(),
        multi_tenancy_config=Configure.multi_tenancy(enabled=True),
    )
    assert col.config.get().multi_tenancy_config.enabled is True
    assert col.tenants.get() == {}
    assert col.tenants.get_by_names(["t1"]) == {}


def test_tenant_calls_of_a_collection_without_multi_tenancy(make_collection):
    col = make_collection(vectorizer_config=Configure.Vectorizer.none())
    for call in (
        lambda: col.tenants.create("t1"),
        lambda: col.tenants.update(Tenant(name="t1", activity_status=INACTIVE)),
        lambda: col.tenants.remove("t1"),
        lambda: col.tenants.exists("t1"),
    ):
        with pytest.raises(UnexpectedStatusCodeError) as err:
            call()
        assert err.value.status_code == 422


# ----------------------------------------------------------------------------- config


def test_multi_tenancy_config_on_create_and_update(make_collection):
    col = mt_collection(make_collection, auto_create=True, auto_activate=False)
    mt = col.config.get().multi_tenancy_config
    assert (mt.enabled, mt.auto_tenant_creation, mt.auto_tenant_activation) == (True, True, False)
    col.config.update(multi_tenancy_config=Reconfigure.multi_tenancy(auto_tenant_activation=True))
    mt = col.config.get().multi_tenancy_config
    assert (mt.enabled, mt.auto_tenant_creation, mt.auto_tenant_activation) == (True, True, True)
    col.config.update(
        multi_tenancy_config=Reconfigure.multi_tenancy(
            auto_tenant_creation=False, auto_tenant_activation=False
        )
    )
    mt = col.config.get().multi_tenancy_config
    assert (mt.enabled, mt.auto_tenant_creation, mt.auto_tenant_activation) == (True, False, False)
    # the defaults: both flags off
    plain = mt_collection(make_collection)
    mt = plain.config.get().multi_tenancy_config
    assert (mt.enabled, mt.auto_tenant_creation, mt.auto_tenant_activation) == (True, False, False)


# ----------------------------------------------------------------------------- tenants


def test_create_get_update_remove(make_collection):
    col = mt_collection(make_collection)
    col.tenants.create([Tenant(name="a"), Tenant(name="b", activity_status=INACTIVE), "c"])
    got = col.tenants.get()
    assert set(got) == {"a", "b", "c"}
    assert {n: t.name for n, t in got.items()} == {"a": "a", "b": "b", "c": "c"}
    assert statuses(col) == {"a": ACTIVE, "b": INACTIVE, "c": ACTIVE}
    col.tenants.update([Tenant(name="a", activity_status=INACTIVE), Tenant(name="b")])
    assert statuses(col) == {"a": INACTIVE, "b": ACTIVE, "c": ACTIVE}
    col.tenants.activate("a")
    col.tenants.deactivate(["b", "c"])
    assert statuses(col) == {"a": ACTIVE, "b": INACTIVE, "c": INACTIVE}
    col.tenants.remove("c")
    col.tenants.remove([Tenant(name="a")])
    assert statuses(col) == {"b": INACTIVE}
    # removing what is not there changes nothing
    col.tenants.remove(["a", "never"])
    assert statuses(col) == {"b": INACTIVE}


def test_get_by_name_get_by_names_and_exists(make_collection):
    col = mt_collection(make_collection)
    col.tenants.create([Tenant(name="on"), Tenant(name="off", activity_status=INACTIVE)])
    on = col.tenants.get_by_name("on")  # REST GET /v1/schema/{C}/tenants/{t} for >= 1.28
    assert (on.name, on.activity_status) == ("on", ACTIVE)
    off = col.tenants.get_by_name(Tenant(name="off"))
    assert (off.name, off.activity_status) == ("off", INACTIVE)
    assert col.tenants.get_by_name("nobody") is None
    by_names = col.tenants.get_by_names(["off", "nobody"])
    assert {n: t.activity_status for n, t in by_names.items()} == {"off": INACTIVE}
    assert col.tenants.exists("on") and col.tenants.exists(Tenant(name="off"))
    assert not col.tenants.exists("nobody")


def test_offload_is_refused_without_the_s3_module(make_collection):
    col = mt_collection(make_collection)
    col.tenants.create("t")
    with pytest.raises(UnexpectedStatusCodeError) as err:
        col.tenants.offload("t")
    assert err.value.status_code == 422
    assert "can't offload tenants, because offload-s3 module is not enabled" in str(err.value)
    assert statuses(col) == {"t": ACTIVE}


def test_ill_formed_names_are_refused(make_collection):
    col = mt_collection(make_collection)
    with pytest.raises(UnexpectedStatusCodeError) as err:
        col.tenants.create(["good", "not good"])
    assert err.value.status_code == 422
    assert "tenant name at index 1:" in str(err.value)
    assert col.tenants.get() == {}


def test_updating_a_missing_tenant_is_refused(make_collection):
    col = mt_collection(make_collection)
    col.tenants.create("here")
    with pytest.raises(UnexpectedStatusCodeError) as err:
        col.tenants.update(Tenant(name="nobody", activity_status=INACTIVE))
    assert err.value.status_code == 422
    assert "nobody" in str(err.value)
    assert statuses(col) == {"here": ACTIVE}


def test_creating_an_existing_tenant_keeps_it(make_collection):
    col = mt_collection(make_collection)
    col.tenants.create("t")
    oid = col.with_tenant("t").data.insert({"text": "kept"})
    col.tenants.create([Tenant(name="t", activity_status=INACTIVE), "u"])
    assert statuses(col) == {"t": ACTIVE, "u": ACTIVE}
    assert col.with_tenant("t").query.fetch_object_by_id(oid).properties["text"] == "kept"


# ----------------------------------------------------------------------------- data


def test_data_calls_stay_in_their_tenant(make_collection):
    col = mt_collection(make_collection)
    col.tenants.create(["t1", "t2"])
    t1, t2 = col.with_tenant("t1"), col.with_tenant("t2")
    oid = str(uuidlib.uuid4())
    # the same id in two tenants makes two objects
    t1.data.insert({"text": "one", "n": 1}, uuid=oid, vector=[1.0, 0.0, 0.0])
    t2.data.insert({"text": "two", "n": 2}, uuid=oid, vector=[0.0, 1.0, 0.0])
    a = t1.query.fetch_object_by_id(oid, include_vector=True)
    b = t2.query.fetch_object_by_id(oid, include_vector=True)
    assert (a.properties, a.vector["default"]) == ({"text": "one", "n": 1}, [1.0, 0.0, 0.0])
    assert (b.properties, b.vector["default"]) == ({"text": "two", "n": 2}, [0.0, 1.0, 0.0])
    assert t1.data.exists(oid) and t2.data.exists(oid)

    t1.data.replace(oid, {"text": "uno", "n": 11})
    t2.data.update(oid, {"n": 22})
    assert t1.query.fetch_object_by_id(oid).properties == {"text": "uno", "n": 11}
    assert t2.query.fetch_object_by_id(oid).properties == {"text": "two", "n": 22}

    assert t1.data.delete_by_id(oid) is True
    assert t1.query.fetch_object_by_id(oid) is None
    assert not t1.data.exists(oid)
    assert t1.data.delete_by_id(oid) is False
    assert t2.query.fetch_object_by_id(oid).properties["n"] == 22


def test_insert_many_and_delete_many_with_tenant(make_collection):
    col = mt_collection(make_collection)
    col.tenants.create(["t1", "t2"])
    for t in ("t1", "t2"):
        res = col.with_tenant(t).data.insert_many(
            [DataObject(properties={"text": f"{t} {i}", "n": i}) for i in range(20)]
        )
        assert not res.has_errors, res.errors
    res = col.with_tenant("t1").data.delete_many(
        where=Filter.by_property("n").less_than(5), verbose=True
    )
    assert (res.matches, res.successful, res.failed) == (5, 5, 0)
    assert {o.successful for o in res.objects} == {True}
    left = col.with_tenant("t1").query.fetch_objects(limit=100).objects
    assert sorted(o.properties["n"] for o in left) == list(range(5, 20))
    assert len(col.with_tenant("t2").query.fetch_objects(limit=100).objects) == 20
    dry = col.with_tenant("t2").data.delete_many(
        where=Filter.by_property("n").greater_or_equal(15), dry_run=True
    )
    # over gRPC a dry run counts the matched objects as successful (Weaviate's
    # adapters/handlers/grpc/v1 batchDeleteReplyFromObjects counts every object without error)
    assert (dry.matches, dry.successful, dry.failed) == (5, 5, 0)
    assert len(col.with_tenant("t2").query.fetch_objects(limit=100).objects) == 20


@pytest.fixture(scope="module")
def searched(client):
    """A collection with two tenants of 40 objects each: random 6-d vectors and texts drawn
    from one small vocabulary with different frequencies per tenant (so BM25 statistics
    differ between them)."""
    rng = np.random.default_rng(23)
    name = unique_name("Searched")
    col = client.collections.create(
        name,
        vectorizer_config=Configure.Vectorizer.none(),
        properties=PROPS,
        multi_tenancy_config=Configure.multi_tenancy(enabled=True),
    )
    col.tenants.create(["a", "b"])
    vocab = ["apple", "pear", "plum", "kiwi", "fig", "lime", "date", "sloe"]
    data = {}
    for t, weights in (("a", [8, 4, 2, 1, 1, 1, 1, 1]), ("b", [1, 1, 1, 1, 2, 4, 8, 8])):
        p = np.array(weights, dtype=float) / sum(weights)
        ids = seeded_uuids(rng, 40)
        vecs = rng.standard_normal((40, 6)).astype(np.float32)
        texts = [" ".join(rng.choice(vocab, size=rng.integers(2, 7), p=p)) for _ in range(40)]
        res = col.with_tenant(t).data.insert_many(
            [
                DataObject(
                    properties={"text": texts[i], "n": i}, uuid=ids[i], vector=as_list(vecs[i])
                )
                for i in range(40)
            ]
        )
        assert not res.has_errors, res.errors
        data[t] = (ids, vecs, texts)
    yield col, data
    client.collections.delete(name)


def test_fetch_objects_sees_one_tenant(searched):
    col, data = searched
    for t in ("a", "b"):
        got = col.with_tenant(t).query.fetch_objects(limit=100).objects
        assert uuids(got) == set(data[t][0])
        got = (
            col.with_tenant(t)
            .query.fetch_objects(filters=Filter.by_property("n").less_than(4), limit=100)
            .objects
        )
        assert uuids(got) == set(data[t][0][:4])


def test_near_vector_ranks_within_one_tenant(searched):
    col, data = searched
    rng = np.random.default_rng(5)
    for t in ("a", "b"):
        ids, vecs, _ = data[t]
        q = rng.standard_normal(6).astype(np.float32)
        got = (
            col.with_tenant(t)
            .query.near_vector(as_list(q), limit=8, return_metadata=MetadataQuery(distance=True))
            .objects
        )
        assert_ranked(
            [str(o.uuid) for o in got],
            [o.metadata.distance for o in got],
            ids,
            list(distances("cosine", vecs, q)),
            8,
            label=f"tenant {t}",
        )


def test_bm25_scores_with_the_statistics_of_one_tenant(searched):
    col, data = searched
    for t in ("a", "b"):
        ids, _, texts = data[t]
        query = "kiwi sloe"
        ref = bm25_scores([{"text": x} for x in texts], query, {"text": 1.0})
        holders = [i for i, s in enumerate(ref) if s > 0]
        got = (
            col.with_tenant(t)
            .query.bm25(query, limit=100, return_metadata=MetadataQuery(score=True))
            .objects
        )
        assert uuids(got) == {ids[i] for i in holders}, f"tenant {t}"
        for o in got:
            want = ref[ids.index(str(o.uuid))]
            assert abs(o.metadata.score - want) <= tol(want), (
                t,
                str(o.uuid),
                o.metadata.score,
                want,
            )


def test_hybrid_returns_one_tenants_objects(searched):
    col, data = searched
    ids, vecs, _ = data["b"]
    got = (
        col.with_tenant("b")
        .query.hybrid("date lime", vector=as_list(vecs[3]), alpha=0.5, limit=10)
        .objects
    )
    assert len(got) == 10
    assert uuids(got) <= set(ids)
    # alpha=1 is the vector search alone: the object itself comes first
    top = col.with_tenant("b").query.hybrid("date", vector=as_list(vecs[3]), alpha=1.0, limit=1)
    assert str(top.objects[0].uuid) == ids[3]


def test_aggregate_counts_one_tenant(searched):
    col, _ = searched
    assert col.with_tenant("a").aggregate.over_all(total_count=True).total_count == 40
    res = col.with_tenant("b").aggregate.over_all(
        total_count=True, filters=Filter.by_property("n").greater_or_equal(30)
    )
    assert res.total_count == 10


def test_batch_dynamic_with_a_tenant_per_object(client, make_collection):
    col = mt_collection(make_collection)
    col.tenants.create(["t1", "t2"])
    shared = str(uuidlib.uuid4())
    with client.batch.dynamic() as batch:
        for i in range(30):
            batch.add_object(col.name, {"text": f"one {i}", "n": i}, tenant="t1")
            batch.add_object(col.name, {"text": f"two {i}", "n": i}, tenant=Tenant(name="t2"))
        batch.add_object(col.name, {"text": "s", "n": -1}, uuid=shared, tenant="t1")
        batch.add_object(col.name, {"text": "s", "n": -2}, uuid=shared, tenant="t2")
        batch.add_object(col.name, {"text": "lost", "n": -3}, tenant="nobody")
    failed = client.batch.failed_objects
    assert len(failed) == 1, [f.message for f in failed]
    assert not_found("nobody") in failed[0].message
    assert failed[0].object_.tenant == "nobody"
    assert col.with_tenant("t1").aggregate.over_all(total_count=True).total_count == 31
    assert col.with_tenant("t2").aggregate.over_all(total_count=True).total_count == 31
    assert col.with_tenant("t2").query.fetch_object_by_id(shared).properties["n"] == -2


def test_collection_batch_of_one_tenant(make_collection):
    col = mt_collection(make_collection)
    col.tenants.create(["mine", "other"])
    mine = col.with_tenant("mine")
    with mine.batch.dynamic() as batch:
        for i in range(25):
            batch.add_object({"text": f"x {i}", "n": i})
    assert not mine.batch.failed_objects
    assert mine.aggregate.over_all(total_count=True).total_count == 25
    assert col.with_tenant("other").aggregate.over_all(total_count=True).total_count == 0


# ----------------------------------------------------------------------------- errors


@pytest.fixture(scope="module")
def errs(client):
    """A multi-tenant collection with an active tenant `on` (one object) and an inactive
    tenant `off` (one object), and a collection without multi-tenancy (one object)."""
    mt = client.collections.create(
        unique_name("Errs"),
        vectorizer_config=Configure.Vectorizer.none(),
        properties=PROPS,
        multi_tenancy_config=Configure.multi_tenancy(enabled=True),
    )
    mt.tenants.create(["on", "off"])
    oid = mt.with_tenant("on").data.insert({"text": "x", "n": 1})
    mt.with_tenant("off").data.insert({"text": "y", "n": 2})
    mt.tenants.deactivate("off")
    plain = client.collections.create(
        unique_name("Plain"), vectorizer_config=Configure.Vectorizer.none(), properties=PROPS
    )
    plain_id = plain.data.insert({"text": "p", "n": 3})
    yield mt, oid, plain, plain_id
    client.collections.delete([mt.name, plain.name])


def calls(col, oid):
    """Every data call, grouped by the exception the client raises for a refused one."""
    return {
        "insert": (UnexpectedStatusCodeError, lambda: col.data.insert({"text": "z"})),
        "replace": (UnexpectedStatusCodeError, lambda: col.data.replace(oid, {"text": "r"})),
        "update": (UnexpectedStatusCodeError, lambda: col.data.update(oid, {"text": "u"})),
        "delete_by_id": (UnexpectedStatusCodeError, lambda: col.data.delete_by_id(oid)),
        "insert_many": (
            WeaviateInsertManyAllFailedError,
            lambda: col.data.insert_many([{"text": "z"}]),
        ),
        "fetch_objects": (WeaviateQueryError, lambda: col.query.fetch_objects()),
        "fetch_object_by_id": (WeaviateQueryError, lambda: col.query.fetch_object_by_id(oid)),
        "near_vector": (WeaviateQueryError, lambda: col.query.near_vector([1.0, 0.0, 0.0])),
        "bm25": (WeaviateQueryError, lambda: col.query.bm25("x")),
        "aggregate": (WeaviateQueryError, lambda: col.aggregate.over_all(total_count=True)),
        "delete_many": (
            WeaviateDeleteManyError,
            lambda: col.data.delete_many(where=Filter.by_property("n").equal(1)),
        ),
    }


CALLS = [
    "insert",
    "replace",
    "update",
    "delete_by_id",
    "insert_many",
    "fetch_objects",
    "fetch_object_by_id",
    "near_vector",
    "bm25",
    "aggregate",
    "delete_many",
]


def refused(col, oid, call):
    exc, fn = calls(col, oid)[call]
    with pytest.raises(exc) as err:
        fn()
    if isinstance(err.value, UnexpectedStatusCodeError):
        assert err.value.status_code == 422, err.value
    return str(err.value)


@pytest.mark.parametrize("call", CALLS)
def test_a_call_without_a_tenant(errs, call):
    mt, oid, _, _ = errs
    assert without_tenant(mt) in refused(mt, oid, call)


@pytest.mark.parametrize("call", CALLS)
def test_a_call_with_a_missing_tenant(errs, call):
    mt, oid, _, _ = errs
    assert not_found("nobody") in refused(mt.with_tenant("nobody"), oid, call)


@pytest.mark.parametrize("call", CALLS)
def test_a_call_with_an_inactive_tenant(errs, call):
    mt, oid, _, _ = errs
    message = refused(mt.with_tenant("off"), oid, call)
    # Weaviate words it "tenant not active: 'off'"
    assert "tenant not active" in message and "off" in message, message
    assert statuses(mt)["off"] == INACTIVE


@pytest.mark.parametrize("call", CALLS)
def test_a_call_with_a_tenant_on_a_collection_without_multi_tenancy(errs, call):
    _, _, plain, plain_id = errs
    assert with_tenant(plain) in refused(plain.with_tenant("on"), plain_id, call)


def test_exists_with_a_refused_tenant(errs):
    mt, oid, plain, plain_id = errs
    for col, target in (
        (mt, oid),
        (mt.with_tenant("nobody"), oid),
        (mt.with_tenant("off"), oid),
        (plain.with_tenant("on"), plain_id),
    ):
        with pytest.raises(UnexpectedStatusCodeError) as err:
            col.data.exists(target)
        assert err.value.status_code == 422


def test_insert_many_reports_each_object(errs):
    mt, _, _, _ = errs
    res = mt.with_tenant("on").data.insert_many([{"text": "fine", "n": 7}])
    assert not res.has_errors
    assert mt.with_tenant("on").query.fetch_object_by_id(res.uuids[0]).properties["n"] == 7
    with pytest.raises(WeaviateInsertManyAllFailedError) as err:
        mt.with_tenant("off").data.insert_many([{"text": "a"}, {"text": "b"}])
    assert "tenant not active" in str(err.value)


# ----------------------------------------------------------------------------- activity


def test_an_inactive_tenant_keeps_its_objects(make_collection):
    col = mt_collection(make_collection)
    col.tenants.create("t")
    rng = np.random.default_rng(11)
    vecs = rng.standard_normal((30, 4)).astype(np.float32)
    ids = seeded_uuids(rng, 30)
    t = col.with_tenant("t")
    res = t.data.insert_many(
        [
            DataObject(properties={"text": f"w{i}", "n": i}, uuid=ids[i], vector=as_list(vecs[i]))
            for i in range(30)
        ]
    )
    assert not res.has_errors

    def snapshot():
        objs = t.query.fetch_objects(limit=100, include_vector=True).objects
        return {str(o.uuid): (o.properties, o.vector["default"]) for o in objs}

    def nearest():
        got = t.query.near_vector(as_list(vecs[0]), limit=5).objects
        return [str(o.uuid) for o in got]

    before, near_before = snapshot(), nearest()
    assert set(before) == set(ids) and near_before[0] == ids[0]
    col.tenants.deactivate("t")
    with pytest.raises(WeaviateQueryError):
        t.query.fetch_objects()
    col.tenants.activate("t")
    assert snapshot() == before
    assert nearest() == near_before
    assert t.aggregate.over_all(total_count=True).total_count == 30


def test_a_removed_tenant_comes_back_empty(make_collection):
    col = mt_collection(make_collection)
    col.tenants.create(["gone", "stays"])
    oid = str(uuidlib.uuid4())
    col.with_tenant("gone").data.insert({"text": "old"}, uuid=oid)
    col.with_tenant("stays").data.insert({"text": "old"}, uuid=oid)
    col.tenants.remove("gone")
    with pytest.raises(WeaviateQueryError) as err:
        col.with_tenant("gone").query.fetch_objects()
    assert not_found("gone") in str(err.value)
    col.tenants.create("gone")
    assert col.with_tenant("gone").query.fetch_object_by_id(oid) is None
    assert col.with_tenant("gone").query.fetch_objects().objects == []
    assert col.with_tenant("gone").aggregate.over_all(total_count=True).total_count == 0
    assert col.with_tenant("stays").query.fetch_object_by_id(oid).properties["text"] == "old"
    # an inactive tenant's objects go with it too
    col.with_tenant("stays").data.insert({"text": "more"})
    col.tenants.deactivate("stays")
    col.tenants.remove("stays")
    col.tenants.create(Tenant(name="stays", activity_status=INACTIVE))
    col.tenants.activate("stays")
    assert col.with_tenant("stays").aggregate.over_all(total_count=True).total_count == 0


def test_auto_tenant_creation(client, make_collection):
    col = mt_collection(make_collection, auto_create=True)
    col.with_tenant("by-insert").data.insert({"text": "a"})
    res = col.with_tenant("by-insert-many").data.insert_many([{"text": "b"}, {"text": "c"}])
    assert not res.has_errors, res.errors
    with client.batch.dynamic() as batch:
        for i in range(4):
            batch.add_object(col.name, {"text": f"d{i}"}, tenant=f"by-batch{i % 2}")
    assert not client.batch.failed_objects
    assert statuses(col) == {
        "by-insert": ACTIVE,
        "by-insert-many": ACTIVE,
        "by-batch0": ACTIVE,
        "by-batch1": ACTIVE,
    }
    assert col.with_tenant("by-insert-many").aggregate.over_all(total_count=True).total_count == 2
    # reads do not create tenants
    with pytest.raises(WeaviateQueryError) as err:
        col.with_tenant("by-read").query.fetch_objects()
    assert not_found("by-read") in str(err.value)
    assert "by-read" not in statuses(col)


def test_auto_creation_does_not_activate(make_collection):
    col = mt_collection(make_collection, auto_create=True)
    col.tenants.create(Tenant(name="off", activity_status=INACTIVE))
    with pytest.raises(WeaviateInsertManyAllFailedError) as err:
        col.with_tenant("off").data.insert_many([{"text": "x"}])
    assert "tenant not active" in str(err.value)
    assert statuses(col) == {"off": INACTIVE}


def test_auto_created_tenant_names_are_checked(make_collection):
    col = mt_collection(make_collection, auto_create=True)
    try:
        res = col.with_tenant("not a name").data.insert_many([{"text": "x"}])
        assert res.has_errors
    except WeaviateInsertManyAllFailedError:
        pass
    assert "not a name" not in statuses(col)


def test_auto_tenant_activation(make_collection):
    col = mt_collection(make_collection, auto_activate=True)
    col.tenants.create(["q", "w", "g"])
    for t in ("q", "w", "g"):
        col.with_tenant(t).data.insert({"text": t, "n": 1})
    col.tenants.deactivate(["q", "w", "g"])
    assert statuses(col) == {"q": INACTIVE, "w": INACTIVE, "g": INACTIVE}
    # a gRPC search
    got = col.with_tenant("q").query.fetch_objects().objects
    assert [o.properties["text"] for o in got] == ["q"]
    # a gRPC batch write
    res = col.with_tenant("w").data.insert_many([{"text": "w2", "n": 2}])
    assert not res.has_errors, res.errors
    # a gRPC aggregation
    assert col.with_tenant("g").aggregate.over_all(total_count=True).total_count == 1
    assert statuses(col) == {"q": ACTIVE, "w": ACTIVE, "g": ACTIVE}
    assert col.with_tenant("w").aggregate.over_all(total_count=True).total_count == 2


def test_auto_activation_does_not_create(make_collection):
    col = mt_collection(make_collection, auto_activate=True)
    with pytest.raises(WeaviateQueryError) as err:
        col.with_tenant("new").query.fetch_objects()
    assert not_found("new") in str(err.value)
    with pytest.raises(WeaviateInsertManyAllFailedError) as err:
        col.with_tenant("new").data.insert_many([{"text": "x"}])
    assert not_found("new") in str(err.value)
    assert statuses(col) == {}


def test_a_deleted_collection_takes_its_tenants_along(client):
    name = unique_name("Recreated")
    mt = Configure.multi_tenancy(enabled=True)
    none = Configure.Vectorizer.none()
    col = client.collections.create(
        name, vectorizer_config=none, properties=PROPS, multi_tenancy_config=mt
    )
    col.tenants.create(["t1", "t2"])
    oid = col.with_tenant("t1").data.insert({"text": "before"})
    client.collections.delete(name)
    col = client.collections.create(
        name, vectorizer_config=none, properties=PROPS, multi_tenancy_config=mt
    )
    try:
        assert col.tenants.get() == {}
        col.tenants.create("t1")
        assert col.with_tenant("t1").query.fetch_object_by_id(oid) is None
        assert col.with_tenant("t1").aggregate.over_all(total_count=True).total_count == 0
    finally:
        client.collections.delete(name)


# ----------------------------------------------------------------------------- placement


def tenant_shards(rest, collection):
    """(node, shard) of every shard of `collection` in `GET /v1/nodes?output=verbose`."""
    res = rest.get("/v1/nodes", params={"output": "verbose"})
    assert res.status_code == 200, res.text
    return [
        (n["name"], s)
        for n in res.json()["nodes"]
        for s in (n.get("shards") or [])
        if s["class"] == collection
    ]


def test_each_tenant_in_use_is_one_shard_on_one_node(rest, make_collection):
    col = mt_collection(make_collection)
    names = [f"t{i}" for i in range(6)]
    col.tenants.create(names)
    for t in names:
        col.with_tenant(t).data.insert({"text": t})
    listed = tenant_shards(rest, col.name)
    # replication factor 1: one copy of each tenant, on one node (three in a cluster run)
    assert sorted(s["name"] for _, s in listed) == names
    assert all(s["loaded"] is True for _, s in listed), listed
    for t in names:  # each tenant answers through the node the client talks to
        got = col.with_tenant(t).query.fetch_objects().objects
        assert [o.properties["text"] for o in got] == [t]


def test_a_tenant_never_used_is_listed_unloaded(rest, make_collection):
    col = mt_collection(make_collection)
    col.tenants.create(["idle1", "idle2", "idle3"])
    listed = tenant_shards(rest, col.name)
    assert sorted(s["name"] for _, s in listed) == ["idle1", "idle2", "idle3"]
    assert all(s["loaded"] is False for _, s in listed), listed


# ----------------------------------------------------------------------------- restart (last)


def test_tenants_and_their_objects_survive_a_restart(node, client):
    if node.external:
        pytest.skip("the nodes of a cluster run are not the suite's to restart")
    rng = np.random.default_rng(31)
    name = unique_name("DurableMt")
    col = client.collections.create(
        name,
        vectorizer_config=Configure.Vectorizer.none(),
        properties=PROPS,
        multi_tenancy_config=Configure.multi_tenancy(enabled=True, auto_tenant_creation=True),
    )
    col.tenants.create(["hot", "cold", "empty"])
    kept = {}
    for t in ("hot", "cold"):
        ids = seeded_uuids(rng, 50)
        vecs = rng.standard_normal((50, 5)).astype(np.float32)
        res = col.with_tenant(t).data.insert_many(
            [
                DataObject(properties={"text": t, "n": i}, uuid=ids[i], vector=as_list(vecs[i]))
                for i in range(50)
            ]
        )
        assert not res.has_errors
        kept[t] = (ids, vecs)
    col.tenants.deactivate("cold")
    assert node.restart() == 0, "SIGTERM must end the node with exit code 0"
    with connect(node) as again:
        col = again.collections.get(name)
        mt = col.config.get().multi_tenancy_config
        assert (mt.enabled, mt.auto_tenant_creation) == (True, True)
        assert statuses(col) == {"hot": ACTIVE, "cold": INACTIVE, "empty": ACTIVE}
        ids, vecs = kept["hot"]
        objs = col.with_tenant("hot").query.fetch_objects(limit=100).objects
        assert {str(o.uuid): o.properties["n"] for o in objs} == {ids[i]: i for i in range(50)}
        q = rng.standard_normal(5).astype(np.float32)
        got = (
            col.with_tenant("hot")
            .query.near_vector(as_list(q), limit=10, return_metadata=MetadataQuery(distance=True))
            .objects
        )
        assert_ranked(
            [str(o.uuid) for o in got],
            [o.metadata.distance for o in got],
            ids,
            list(distances("cosine", vecs, q)),
            10,
        )
        with pytest.raises(WeaviateQueryError):
            col.with_tenant("cold").query.fetch_objects()
        col.tenants.activate("cold")
        objs = col.with_tenant("cold").query.fetch_objects(limit=100).objects
        assert uuids(objs) == set(kept["cold"][0])
        assert col.with_tenant("empty").aggregate.over_all(total_count=True).total_count == 0
        again.collections.delete(name)
