"""The LangChain quick-start with `langchain-weaviate` against Shoal: a WeaviateVectorStore on a
v4 client, add_texts with metadatas (client batch over gRPC, auto-schema for the metadata),
similarity_search and similarity_search_with_score (v4 hybrid underneath), filters, a retriever,
and delete. Rankings are checked against the deterministic embedder with numpy."""

import uuid

import pytest
from langchain_core.embeddings import Embeddings
from langchain_weaviate.vectorstores import WeaviateVectorStore
from weaviate.classes.query import Filter

from embedder import DOCS, assert_vector_order, embed


class HashedEmbeddings(Embeddings):
    def embed_documents(self, texts):
        return [embed(t) for t in texts]

    def embed_query(self, text):
        return embed(text)


TEXTS = [d[0] for d in DOCS]


@pytest.fixture(scope="module")
def store(client):
    name = "LangChain" + uuid.uuid4().hex[:10]
    vs = WeaviateVectorStore(
        client=client, index_name=name, text_key="text", embedding=HashedEmbeddings()
    )
    ids = vs.add_texts(TEXTS, metadatas=[{"source": s, "year": str(y)} for _, s, y in DOCS])
    assert client.batch.failed_objects == []
    yield vs, ids
    client.collections.delete(name)


def test_add_texts_stores_every_text_with_its_metadata(client, store):
    vs, ids = store
    assert len(ids) == len(DOCS)
    col = client.collections.get(vs._index_name)
    assert len(col) == len(DOCS)
    stored = {str(o.uuid): o.properties for o in col.iterator()}
    assert set(stored) == {str(i) for i in ids}
    for oid, (text, source, year) in zip(ids, DOCS):
        assert stored[str(oid)] == {"text": text, "source": source, "year": str(year)}
    types = {p.name: p.data_type.value for p in col.config.get().properties}
    assert types == {"text": "text", "source": "text", "year": "text"}


def test_similarity_search_pure_vector(store):
    vs, _ = store
    query = "winter harbor lanterns"
    docs = vs.similarity_search(query, k=4, alpha=1)
    assert_vector_order([d.page_content for d in docs], query, TEXTS, 4)
    assert docs[0].metadata["source"] == "travel"


def test_similarity_search_default_hybrid(store):
    """The default (alpha 0.7, relative score fusion): the document that shares every word with
    the query wins both halves, so it comes first."""
    vs, _ = store
    docs = vs.similarity_search("copper prices rose after the mine closed", k=3)
    assert docs[0].page_content == TEXTS[1]
    assert len(docs) == 3


def test_similarity_search_with_score(store):
    vs, _ = store
    query = "quiet river falcons"
    pairs = vs.similarity_search_with_score(query, k=5, alpha=1)
    assert_vector_order([d.page_content for d, _ in pairs], query, TEXTS, 5)
    scores = [s for _, s in pairs]
    assert scores[0] == pytest.approx(1.0, abs=1e-5)  # relative score fusion: the best is 1
    assert all(a >= b - 1e-6 for a, b in zip(scores, scores[1:]))


def test_similarity_search_with_filter(store):
    vs, _ = store
    docs = vs.similarity_search(
        "winter river valley", k=10, alpha=1, filters=Filter.by_property("source").equal("news")
    )
    news = [t for t, s, _ in DOCS if s == "news"]
    assert sorted(d.page_content for d in docs) == sorted(news)
    assert_vector_order([d.page_content for d in docs], "winter river valley", news)


def test_retriever(store):
    vs, _ = store
    retriever = vs.as_retriever(search_kwargs={"k": 2, "alpha": 1})
    docs = retriever.invoke("glacier canyon summer hikes")
    assert_vector_order([d.page_content for d in docs], "glacier canyon summer hikes", TEXTS, 2)
    assert docs[0].page_content == TEXTS[8]


def test_delete(client, make_store):
    vs, ids = make_store()
    vs.delete(ids=[str(ids[0]), str(ids[5])])
    col = client.collections.get(vs._index_name)
    assert len(col) == len(DOCS) - 2
    left = [d.page_content for d in vs.similarity_search("copper markets", k=20, alpha=1)]
    assert TEXTS[0] not in left and TEXTS[5] not in left
    assert len(left) == len(DOCS) - 2


@pytest.fixture
def make_store(client):
    names = []

    def make():
        name = "LangChainDel" + uuid.uuid4().hex[:8]
        names.append(name)
        vs = WeaviateVectorStore.from_texts(
            TEXTS,
            HashedEmbeddings(),
            metadatas=[{"source": s} for _, s, _ in DOCS],
            client=client,
            index_name=name,
        )
        ids = [str(o.uuid) for o in client.collections.get(name).iterator()]
        by_text = {
            o.properties["text"]: str(o.uuid) for o in client.collections.get(name).iterator()
        }
        assert len(ids) == len(DOCS)
        return vs, [by_text[t] for t in TEXTS]

    yield make
    for name in names:
        client.collections.delete(name)
