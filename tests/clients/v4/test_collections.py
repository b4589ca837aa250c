"""Collections over REST: `collections.create` with the `Configure.*` helpers, `get`, `exists`,
`list_all`, `delete`, and `config.get` / `config.update` / `config.add_property`. Every value
set on create is read back through `config.get()` (the client's strict parser, client-wire.md
3.4), and the defaults are Weaviate 1.27's (weaviate-api.md section 3)."""

import pytest
from weaviate.classes.config import (
    Configure,
    DataType,
    Property,
    Reconfigure,
    StopwordsPreset,
    Tokenization,
    VectorDistances,
)
from weaviate.collections.classes.config import VectorIndexType
from weaviate.exceptions import UnexpectedStatusCodeError, WeaviateInvalidInputError

from support import unique_name

DISTANCES = [
    VectorDistances.COSINE,
    VectorDistances.DOT,
    VectorDistances.L2_SQUARED,
    VectorDistances.MANHATTAN,
    VectorDistances.HAMMING,
]


def node_count(client):
    return len(client.cluster.nodes())


def test_unnamed_hnsw_index_round_trips(make_collection):
    col = make_collection(
        vectorizer_config=Configure.Vectorizer.none(),
        vector_index_config=Configure.VectorIndex.hnsw(
            distance_metric=VectorDistances.DOT,
            ef=77,
            ef_construction=99,
            max_connections=24,
            dynamic_ef_min=50,
            dynamic_ef_max=400,
            dynamic_ef_factor=6,
            flat_search_cutoff=12000,
            vector_cache_max_objects=5000,
            cleanup_interval_seconds=120,
        ),
    )
    cfg = col.config.get()
    assert cfg.vector_index_type == VectorIndexType.HNSW
    vic = cfg.vector_index_config
    assert vic.distance_metric == VectorDistances.DOT
    assert (vic.ef, vic.ef_construction, vic.max_connections) == (77, 99, 24)
    assert (vic.dynamic_ef_min, vic.dynamic_ef_max, vic.dynamic_ef_factor) == (50, 400, 6)
    assert vic.flat_search_cutoff == 12000
    assert vic.vector_cache_max_objects == 5000
    assert vic.cleanup_interval_seconds == 120
    assert vic.skip is False
    assert vic.quantizer is None
    assert cfg.vector_config is None


def test_hnsw_defaults_are_weaviates(make_collection):
    cfg = make_collection(vectorizer_config=Configure.Vectorizer.none()).config.get()
    vic = cfg.vector_index_config
    assert vic.distance_metric == VectorDistances.COSINE
    assert (vic.ef, vic.ef_construction, vic.max_connections) == (-1, 128, 32)
    assert (vic.dynamic_ef_min, vic.dynamic_ef_max, vic.dynamic_ef_factor) == (100, 500, 8)
    assert vic.flat_search_cutoff == 40000
    assert vic.vector_cache_max_objects == 1000000000000
    assert vic.cleanup_interval_seconds == 300


@pytest.mark.parametrize("metric", DISTANCES, ids=lambda d: d.value)
def test_flat_index_with_every_distance(make_collection, metric):
    col = make_collection(
        vector_config=Configure.Vectors.self_provided(
            vector_index_config=Configure.VectorIndex.flat(
                distance_metric=metric, vector_cache_max_objects=777
            )
        ),
    )
    cfg = col.config.get()
    assert set(cfg.vector_config) == {"default"}
    vec = cfg.vector_config["default"]
    assert vec.vectorizer.vectorizer.value == "none"
    assert vec.vector_index_config.distance_metric == metric
    assert vec.vector_index_config.vector_cache_max_objects == 777
    assert type(vec.vector_index_config).__name__ == "_VectorIndexConfigFlat"


def test_dynamic_index_needs_async_indexing(client):
    """Without ASYNC_INDEXING=true Weaviate refuses a dynamic index (422 naming async indexing);
    test_dynamic_index.py creates one on a node that has it."""
    name = unique_name("Dyn")
    with pytest.raises(UnexpectedStatusCodeError) as err:
        client.collections.create(
            name,
            vector_config=Configure.Vectors.self_provided(
                vector_index_config=Configure.VectorIndex.dynamic(threshold=100)
            ),
        )
    assert err.value.status_code == 422, err.value
    assert "async" in str(err.value).lower(), err.value
    assert not client.collections.exists(name)


def test_named_vectors_each_keep_their_index(make_collection):
    col = make_collection(
        vectorizer_config=[
            Configure.NamedVectors.none(
                "title",
                vector_index_config=Configure.VectorIndex.hnsw(
                    distance_metric=VectorDistances.L2_SQUARED, ef_construction=64
                ),
            ),
            Configure.NamedVectors.none(
                "body",
                vector_index_config=Configure.VectorIndex.flat(distance_metric=VectorDistances.DOT),
            ),
        ],
        properties=[Property(name="text", data_type=DataType.TEXT)],
    )
    cfg = col.config.get()
    assert set(cfg.vector_config) == {"title", "body"}
    title, body = cfg.vector_config["title"], cfg.vector_config["body"]
    assert title.vector_index_config.distance_metric == VectorDistances.L2_SQUARED
    assert title.vector_index_config.ef_construction == 64
    assert type(title.vector_index_config).__name__ == "_VectorIndexConfigHNSW"
    assert body.vector_index_config.distance_metric == VectorDistances.DOT
    assert type(body.vector_index_config).__name__ == "_VectorIndexConfigFlat"
    assert cfg.vector_index_config is None


def test_self_provided_vectors_list(make_collection):
    col = make_collection(
        vector_config=[
            Configure.Vectors.self_provided(name="a"),
            Configure.Vectors.self_provided(
                name="b",
                vector_index_config=Configure.VectorIndex.hnsw(
                    distance_metric=VectorDistances.MANHATTAN
                ),
            ),
        ],
    )
    cfg = col.config.get()
    assert set(cfg.vector_config) == {"a", "b"}
    assert cfg.vector_config["a"].vector_index_config.distance_metric == VectorDistances.COSINE
    assert cfg.vector_config["b"].vector_index_config.distance_metric == VectorDistances.MANHATTAN


def test_inverted_index_config_round_trips(make_collection):
    col = make_collection(
        vectorizer_config=Configure.Vectorizer.none(),
        inverted_index_config=Configure.inverted_index(
            bm25_b=0.6,
            bm25_k1=1.5,
            cleanup_interval_seconds=90,
            index_timestamps=True,
            index_null_state=True,
            index_property_length=True,
            stopwords_preset=StopwordsPreset.NONE,
            stopwords_additions=["shoal"],
            stopwords_removals=["the"],
        ),
    )
    inv = col.config.get().inverted_index_config
    assert inv.bm25.b == pytest.approx(0.6)
    assert inv.bm25.k1 == pytest.approx(1.5)
    assert inv.cleanup_interval_seconds == 90
    assert (inv.index_timestamps, inv.index_null_state, inv.index_property_length) == (
        True,
        True,
        True,
    )
    assert inv.stopwords.preset == StopwordsPreset.NONE
    assert inv.stopwords.additions == ["shoal"]
    assert inv.stopwords.removals == ["the"]


def test_inverted_index_defaults(make_collection):
    inv = make_collection(vectorizer_config=Configure.Vectorizer.none()).config.get()
    inv = inv.inverted_index_config
    assert (inv.bm25.b, inv.bm25.k1) == (pytest.approx(0.75), pytest.approx(1.2))
    assert inv.cleanup_interval_seconds == 60
    assert (inv.index_timestamps, inv.index_null_state, inv.index_property_length) == (
        False,
        False,
        False,
    )
    assert inv.stopwords.preset == StopwordsPreset.EN
    assert not inv.stopwords.additions
    assert not inv.stopwords.removals


def test_replication_factor_of_every_node(client, make_collection):
    nodes = node_count(client)
    col = make_collection(
        vectorizer_config=Configure.Vectorizer.none(),
        replication_config=Configure.replication(factor=nodes),
    )
    assert col.config.get().replication_config.factor == nodes


def test_replication_factor_above_the_node_count_is_refused(client):
    name = unique_name("Repl")
    with pytest.raises(UnexpectedStatusCodeError) as err:
        client.collections.create(
            name,
            vectorizer_config=Configure.Vectorizer.none(),
            replication_config=Configure.replication(factor=node_count(client) + 1),
        )
    assert err.value.status_code == 422, err.value
    assert not client.collections.exists(name)


def test_sharding_config_round_trips(make_collection):
    col = make_collection(
        vectorizer_config=Configure.Vectorizer.none(),
        sharding_config=Configure.sharding(virtual_per_physical=64, desired_count=1),
    )
    sh = col.config.get().sharding_config
    assert (sh.virtual_per_physical, sh.desired_count, sh.actual_count) == (64, 1, 1)
    assert (sh.desired_virtual_count, sh.actual_virtual_count) == (64, 64)
    assert (sh.key, sh.strategy, sh.function) == ("_id", "hash", "murmur3")


def test_sharding_defaults_follow_the_node_count(client, make_collection):
    nodes = node_count(client)
    sh = make_collection(vectorizer_config=Configure.Vectorizer.none()).config.get()
    sh = sh.sharding_config
    assert (sh.desired_count, sh.actual_count, sh.virtual_per_physical) == (nodes, nodes, 128)
    assert (sh.desired_virtual_count, sh.actual_virtual_count) == (128 * nodes, 128 * nodes)


def test_properties_round_trip(make_collection):
    col = make_collection(
        description="a shelf of books",
        vectorizer_config=Configure.Vectorizer.none(),
        properties=[
            Property(
                name="title",
                data_type=DataType.TEXT,
                tokenization=Tokenization.FIELD,
                description="the title",
            ),
            Property(name="tags", data_type=DataType.TEXT_ARRAY, index_searchable=False),
            Property(name="pages", data_type=DataType.INT, index_range_filters=True),
            Property(name="price", data_type=DataType.NUMBER, index_filterable=False),
            Property(
                name="meta",
                data_type=DataType.OBJECT,
                nested_properties=[
                    Property(name="isbn", data_type=DataType.TEXT),
                    Property(name="year", data_type=DataType.INT),
                ],
            ),
        ],
    )
    cfg = col.config.get()
    assert cfg.description == "a shelf of books"
    props = {p.name: p for p in cfg.properties}
    assert list(props) == ["title", "tags", "pages", "price", "meta"]
    assert props["title"].data_type == DataType.TEXT
    assert props["title"].tokenization == Tokenization.FIELD
    assert props["title"].description == "the title"
    assert (props["title"].index_filterable, props["title"].index_searchable) == (True, True)
    assert props["tags"].data_type == DataType.TEXT_ARRAY
    assert props["tags"].index_searchable is False
    assert props["tags"].tokenization == Tokenization.WORD
    assert props["pages"].index_range_filters is True
    assert props["pages"].tokenization is None
    assert props["price"].index_filterable is False
    assert props["meta"].data_type == DataType.OBJECT
    nested = {n.name: n.data_type for n in props["meta"].nested_properties}
    assert nested == {"isbn": DataType.TEXT, "year": DataType.INT}


def test_get_exists_list_all_delete(client, make_collection):
    col = make_collection(vectorizer_config=Configure.Vectorizer.none())
    name = col.name
    assert client.collections.exists(name)
    assert client.collections.get(name).name == name
    simple = client.collections.list_all(simple=True)
    assert name in simple and simple[name].name == name
    full = client.collections.list_all(simple=False)
    assert full[name].replication_config.factor >= 1
    client.collections.delete(name)
    assert not client.collections.exists(name)
    assert name not in client.collections.list_all()


def test_lower_case_name_is_capitalised(client):
    name = unique_name("low").lower()
    col = client.collections.create(name, vectorizer_config=Configure.Vectorizer.none())
    try:
        assert col.name == name[0].upper() + name[1:]
        assert client.collections.exists(col.name)
    finally:
        client.collections.delete(col.name)


def test_delete_several_and_missing(client):
    names = [unique_name("Del") for _ in range(3)]
    for name in names:
        client.collections.create(name, vectorizer_config=Configure.Vectorizer.none())
    client.collections.delete(names[:2])
    assert [client.collections.exists(n) for n in names] == [False, False, True]
    client.collections.delete(names[2])
    client.collections.delete(unique_name("Never"))  # Weaviate answers 200 for a missing class
    assert not client.collections.exists(names[2])


def test_config_get_simple(make_collection):
    col = make_collection(
        vectorizer_config=Configure.Vectorizer.none(),
        properties=[Property(name="n", data_type=DataType.INT)],
    )
    simple = col.config.get(simple=True)
    assert simple.name == col.name
    assert [(p.name, p.data_type) for p in simple.properties] == [("n", DataType.INT)]
    assert not hasattr(simple, "sharding_config")


def test_create_twice_is_refused(client, make_collection):
    col = make_collection(vectorizer_config=Configure.Vectorizer.none())
    with pytest.raises(UnexpectedStatusCodeError) as err:
        client.collections.create(col.name, vectorizer_config=Configure.Vectorizer.none())
    assert err.value.status_code == 422
    assert "already exists" in str(err.value)


def test_config_update_mutable_fields(make_collection):
    col = make_collection(
        vectorizer_config=Configure.Vectorizer.none(),
        vector_index_config=Configure.VectorIndex.hnsw(ef=64),
    )
    col.config.update(
        description="updated",
        inverted_index_config=Reconfigure.inverted_index(
            bm25_b=0.5, bm25_k1=1.1, stopwords_additions=["lorem"]
        ),
        vector_index_config=Reconfigure.VectorIndex.hnsw(
            ef=200, dynamic_ef_factor=10, flat_search_cutoff=5000
        ),
    )
    cfg = col.config.get()
    assert cfg.description == "updated"
    assert (cfg.inverted_index_config.bm25.b, cfg.inverted_index_config.bm25.k1) == (
        pytest.approx(0.5),
        pytest.approx(1.1),
    )
    assert cfg.inverted_index_config.stopwords.additions == ["lorem"]
    vic = cfg.vector_index_config
    assert (vic.ef, vic.dynamic_ef_factor, vic.flat_search_cutoff) == (200, 10, 5000)
    assert (vic.ef_construction, vic.max_connections) == (128, 32)


def test_config_update_named_vector_index(make_collection):
    col = make_collection(
        vector_config=[
            Configure.Vectors.self_provided(
                name="v", vector_index_config=Configure.VectorIndex.hnsw(ef=32)
            ),
        ],
    )
    col.config.update(
        vector_config=Reconfigure.Vectors.update(
            name="v", vector_index_config=Reconfigure.VectorIndex.hnsw(ef=321)
        )
    )
    assert col.config.get().vector_config["v"].vector_index_config.ef == 321


def test_add_property(make_collection, rest):
    col = make_collection(
        vectorizer_config=Configure.Vectorizer.none(),
        properties=[Property(name="a", data_type=DataType.TEXT)],
    )
    col.config.add_property(Property(name="b", data_type=DataType.INT_ARRAY))
    col.config.add_property(
        Property(name="c", data_type=DataType.TEXT, tokenization=Tokenization.LOWERCASE)
    )
    props = {p.name: p for p in col.config.get().properties}
    assert list(props) == ["a", "b", "c"]
    assert props["b"].data_type == DataType.INT_ARRAY
    assert props["c"].tokenization == Tokenization.LOWERCASE
    # the client refuses a duplicate itself; the server must too (422 naming the property)
    with pytest.raises(WeaviateInvalidInputError):
        col.config.add_property(Property(name="b", data_type=DataType.TEXT))
    dup = rest.post(f"/v1/schema/{col.name}/properties", json={"name": "b", "dataType": ["text"]})
    assert dup.status_code == 422, dup.text
    assert "b" in dup.json()["error"][0]["message"]
