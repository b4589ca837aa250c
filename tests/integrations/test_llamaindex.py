"""The LlamaIndex quick-start with `llama-index-vector-stores-weaviate` against Shoal: a
VectorStoreIndex built on a WeaviateVectorStore (v4 client batch over gRPC), retrieval (the
store's hybrid query with alpha 1, i.e. vector search), metadata filters, and deleting a
document. No LLM (`Settings.llm = None`, and only the retriever is used) and a deterministic
embedder, so rankings are checked with numpy."""

import uuid

import pytest
from llama_index.core import Document, Settings, StorageContext, VectorStoreIndex
from llama_index.core.embeddings import BaseEmbedding
from llama_index.core.vector_stores import ExactMatchFilter, MetadataFilters
from llama_index.vector_stores.weaviate import WeaviateVectorStore

from embedder import DOCS, assert_vector_order, embed

TEXTS = [d[0] for d in DOCS]


class HashedEmbedding(BaseEmbedding):
    def _get_query_embedding(self, query):
        return embed(query)

    async def _aget_query_embedding(self, query):
        return embed(query)

    def _get_text_embedding(self, text):
        return embed(text)


@pytest.fixture(scope="module")
def index(client):
    Settings.llm = None
    Settings.embed_model = HashedEmbedding()
    Settings.chunk_size = 512  # every sentence stays one node
    name = "LlamaIndex" + uuid.uuid4().hex[:10]
    store = WeaviateVectorStore(weaviate_client=client, index_name=name)
    # the metadata stays out of the embedded text, so the numpy reference embeds the same text
    docs = [
        Document(
            text=t,
            doc_id=f"doc-{i}",
            metadata={"source": s, "year": str(y)},
            excluded_embed_metadata_keys=["source", "year"],
        )
        for i, (t, s, y) in enumerate(DOCS)
    ]
    idx = VectorStoreIndex.from_documents(
        docs, storage_context=StorageContext.from_defaults(vector_store=store)
    )
    assert client.batch.failed_objects == []
    yield idx, store, name
    client.collections.delete(name)


def test_every_document_became_one_object(client, index):
    _, _, name = index
    col = client.collections.get(name)
    assert len(col) == len(DOCS)
    got = sorted(o.properties["text"] for o in col.iterator())
    assert got == sorted(TEXTS)


def test_retrieve_ranks_by_vector(index):
    idx, _, _ = index
    query = "winter harbor lanterns festival"
    nodes = idx.as_retriever(similarity_top_k=3).retrieve(query)
    assert_vector_order([n.node.get_content() for n in nodes], query, TEXTS, 3)
    assert nodes[0].node.metadata["source"] == "travel"
    assert nodes[0].score == pytest.approx(1.0, abs=1e-5)
    assert all(a.score >= b.score - 1e-6 for a, b in zip(nodes, nodes[1:]))


def test_retrieve_with_metadata_filter(index):
    idx, _, _ = index
    query = "quiet river valley"
    filters = MetadataFilters(filters=[ExactMatchFilter(key="source", value="news")])
    nodes = idx.as_retriever(similarity_top_k=10, filters=filters).retrieve(query)
    news = [t for t, s, _ in DOCS if s == "news"]
    assert_vector_order([n.node.get_content() for n in nodes], query, news)


def test_delete_a_document(client, index):
    idx, store, name = index
    idx.delete_ref_doc("doc-3")
    col = client.collections.get(name)
    assert len(col) == len(DOCS) - 1
    nodes = idx.as_retriever(similarity_top_k=20).retrieve("the river floods the valley")
    contents = [n.node.get_content() for n in nodes]
    assert TEXTS[3] not in contents
    assert len(contents) == len(DOCS) - 1
