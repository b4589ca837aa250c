# Regenerate bm25_python.json (used by bm25.rs) with: python3 bm25_python.py > bm25_python.json
# Runs test_keyword.py's bm25_reference (numpy replaced by plain Python) on a small corpus
# built like its _corpus(), and writes docs, queries and expected rankings as JSON.
import json, math, random, re, sys
from collections import Counter
EN_STOPWORDS = frozenset("""a an and are as at be but by for if in into is it no not of on or such that the their
    then there these they this to was will with""".split())
def tokenize(tokenization, text):
    if tokenization == "word":
        return [t.lower() for t in re.findall(r"[^\W_]+", text)]
    raise ValueError
K1, B = 1.2, 0.75
VOCAB = ("river stone forest light quiet engine garden harbor winter copper signal marble lantern orbit "
    "meadow thunder violet canyon ember glacier").split()
FILLER = ["the", "a", "of", "and", "to", "in", "is"]
rng = random.Random(42)
weights = [1.0 / (i + 1) ** 0.8 for i in range(len(VOCAB))]
def words(n, stop_share):
    out = []
    for _ in range(n):
        if rng.random() < stop_share:
            out.append(rng.choice(FILLER))
        else:
            out.append(rng.choices(VOCAB, weights)[0])
    return out
DOCS = []
for _ in range(40):
    title = " ".join(words(rng.randint(2, 6), 0.1)).capitalize()
    body = " ".join(words(rng.randint(12, 40), 0.25)) + "."
    DOCS.append({"title": title, "body": body})
DOCS.append({"title": "Zebra crossing", "body": " ".join(words(20, 0.25))})
DOCS.append({"title": " ".join(words(4, 0.0)), "body": " ".join(words(12, 0.25) + ["zebra"] + words(12, 0.25))})
def bm25_reference(query, props=("title", "body"), boosts=None):
    boosts = boosts or {}
    terms = Counter(t for t in tokenize("word", query) if t not in EN_STOPWORDS)
    tf = {p: [Counter(tokenize("word", d[p])) for d in DOCS] for p in props}
    avg_len = sum(sum(len(c) for c in tf[p]) / len(tf[p]) for p in props) / len(props)
    n_docs = len(DOCS)
    scores = Counter()
    for term, dup in terms.items():
        postings = {}
        for i in range(n_docs):
            hits = [p for p in props if tf[p][i][term]]
            if hits:
                f = sum(tf[p][i][term] * boosts.get(p, 1) for p in hits)
                length = sum(len(tf[p][i]) for p in hits)
                postings[i] = (f, length)
        if not postings:
            continue
        n = len(postings)
        idf = math.log(1 + (n_docs - n + 0.5) / (n + 0.5)) * dup
        for i, (f, length) in postings.items():
            scores[i] += idf * f / (f + K1 * (1 - B + B * length / avg_len))
    return sorted(scores.items(), key=lambda kv: -kv[1])
cases = []
for q, props, boosts in [
    ("river stone", ("title", "body"), {}),
    ("forest forest light", ("title", "body"), {}),
    ("winter harbor garden", ("body",), {}),
    ("signal marble", ("title", "body"), {"title": 3}),
    ("the meadow of thunder", ("title", "body"), {}),
    ("zebra", ("title", "body"), {"title": 5}),
    ("zebra", ("title", "body"), {"body": 10}),
    ("copper", ("title",), {}),
]:
    cases.append({"query": q, "props": [[p, boosts.get(p, 1)] for p in props],
                  "expected": [[i, s] for i, s in bm25_reference(q, props, boosts)]})
json.dump({"docs": DOCS, "cases": cases}, sys.stdout, indent=None)
