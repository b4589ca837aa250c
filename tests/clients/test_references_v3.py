"""Cross-reference writes with the official Python client (weaviate-client 3.26.7) on one node:
reference properties added after their class, the references endpoints with and without the
class in the path (`POST/PUT/DELETE /v1/objects[/{C}]/{id}/references/{prop}`), beacons in an
object's properties (create, merge, replace, auto-schema), `POST /v1/batch/references` with its
per-reference results, tenant and consistency level, and the 4xx answers with Weaviate's body.

Expected sentences are Weaviate's, read from its source (the versions closest to 1.27 in the
index): usecases/objects/references_add.go, references_update.go, references_delete.go,
batch_references_add.go, usecases/objects/validation/model_validation.go (ValidateExistence),
entities/schema/crossref/crossref.go (Parse, ParseSource), entities/schema/errors.go and
adapters/handlers/rest/handlers_objects.go (status codes: the usecase's 400 goes out as 422, a
missing source object as a 404 without a body).
"""

import uuid

import pytest
import requests
from weaviate import ConsistencyLevel
from weaviate.exceptions import UnexpectedStatusCodeException

from refs_node import beacon, client, error_message, node, stored_ref  # noqa: F401 (fixtures)

ADA = "a0000000-0000-4000-8000-000000000001"
BEA = "a0000000-0000-4000-8000-000000000002"
CAS = "a0000000-0000-4000-8000-000000000003"
PEN = "b0000000-0000-4000-8000-000000000001"
TEXT = {"dataType": ["text"], "tokenization": "field"}


@pytest.fixture(scope="module")
def db(client):
    for cls, props in [
        ("Author", [{"name": "name", **TEXT}, {"name": "age", "dataType": ["int"]}]),
        ("Publisher", [{"name": "name", **TEXT}]),
        ("Article", [{"name": "title", **TEXT}, {"name": "wordCount", "dataType": ["int"]}]),
    ]:
        client.schema.create_class({"class": cls, "vectorizer": "none", "properties": props})
    # the v3 client's way: a cross-reference property is added once its target class exists
    client.schema.property.create("Article", {"name": "hasAuthors", "dataType": ["Author"]})
    client.schema.property.create(
        "Article", {"name": "hasSources", "dataType": ["Author", "Publisher"]}
    )
    for oid, name, age in [(ADA, "Ada", 36), (BEA, "Bea", 52), (CAS, "Cas", 41)]:
        client.data_object.create({"name": name, "age": age}, "Author", uuid=oid)
    client.data_object.create({"name": "Penguin"}, "Publisher", uuid=PEN)
    return client


def article(client, title="draft", **refs):
    """A new Article; `refs` are property -> list of (class, id) stored at creation."""
    props = {"title": title}
    props.update({p: [beacon(c, i) for c, i in targets] for p, targets in refs.items()})
    return client.data_object.create(props, "Article", uuid=str(uuid.uuid4()))


def properties(node, cls, oid, tenant=None):
    params = {"tenant": tenant} if tenant else {}
    res = requests.get(f"{node.url}/v1/objects/{cls}/{oid}", params=params, timeout=30)
    assert res.status_code == 200, res.text
    return res.json()["properties"]


def test_reference_properties_added_after_the_class(node, db):
    body = requests.get(f"{node.url}/v1/schema/Article", timeout=30).json()
    types = {p["name"]: p["dataType"] for p in body["properties"]}
    assert types["hasAuthors"] == ["Author"]
    assert types["hasSources"] == ["Author", "Publisher"]
    assert types["title"] == ["text"]


def test_add_update_delete_with_the_class_in_the_path(node, db):
    ref = db.data_object.reference
    a = article(db)
    ref.add(a, "hasAuthors", ADA, from_class_name="Article", to_class_name="Author")
    ref.add(a, "hasAuthors", BEA, from_class_name="Article", to_class_name="Author")
    assert properties(node, "Article", a)["hasAuthors"] == [
        stored_ref("Author", ADA),
        stored_ref("Author", BEA),
    ]
    ref.update(a, "hasAuthors", [CAS, ADA], from_class_name="Article", to_class_names="Author")
    assert properties(node, "Article", a)["hasAuthors"] == [
        stored_ref("Author", CAS),
        stored_ref("Author", ADA),
    ]
    ref.delete(a, "hasAuthors", CAS, from_class_name="Article", to_class_name="Author")
    assert properties(node, "Article", a)["hasAuthors"] == [stored_ref("Author", ADA)]
    # deleting a reference the object does not hold is a no-op with 204
    ref.delete(a, "hasAuthors", BEA, from_class_name="Article", to_class_name="Author")
    assert properties(node, "Article", a)["hasAuthors"] == [stored_ref("Author", ADA)]
    assert properties(node, "Article", a)["title"] == "draft"


def test_a_beacon_without_class_gets_the_property_target_class(node, db):
    a = article(db)
    db.data_object.reference.add(a, "hasAuthors", BEA, from_class_name="Article")
    assert properties(node, "Article", a)["hasAuthors"] == [stored_ref("Author", BEA)]


def test_batch_references_store_upper_case_uuids_lower_case(node, db):
    # batch_references_add.go: "target id must be lowercase"
    a = article(db)
    ref = {
        "from": f"weaviate://localhost/Article/{a}/hasAuthors",
        "to": f"weaviate://localhost/Author/{ADA.upper()}",
    }
    res = requests.post(f"{node.url}/v1/batch/references", json=[ref], timeout=30)
    assert res.status_code == 200, res.text
    assert res.json()[0]["result"]["status"] == "SUCCESS", res.json()
    assert properties(node, "Article", a)["hasAuthors"] == [stored_ref("Author", ADA)]


def test_a_multi_target_property_keeps_each_class(node, db):
    ref = db.data_object.reference
    a = article(db)
    ref.add(a, "hasSources", PEN, from_class_name="Article", to_class_name="Publisher")
    ref.add(a, "hasSources", ADA, from_class_name="Article", to_class_name="Author")
    assert properties(node, "Article", a)["hasSources"] == [
        stored_ref("Publisher", PEN),
        stored_ref("Author", ADA),
    ]


def test_the_class_less_deprecated_endpoints(node, db):
    a = article(db)
    # from_class_name=None makes the client use /v1/objects/{id}/references/{prop}
    db.data_object.reference.add(a, "hasAuthors", ADA, to_class_name="Author")
    url = f"{node.url}/v1/objects/{a}/references/hasAuthors"
    res = requests.post(url, json=beacon("Author", BEA), timeout=30)
    assert res.status_code == 200, res.text
    assert properties(node, "Article", a)["hasAuthors"] == [
        stored_ref("Author", ADA),
        stored_ref("Author", BEA),
    ]
    res = requests.put(url, json=[beacon("Author", CAS), beacon("Author", BEA)], timeout=30)
    assert res.status_code == 200, res.text
    res = requests.delete(url, json=beacon("Author", CAS), timeout=30)
    assert res.status_code == 204, res.text
    assert properties(node, "Article", a)["hasAuthors"] == [stored_ref("Author", BEA)]


def test_beacons_in_properties_on_create_merge_and_replace(node, db):
    c = db.data_object
    # a class-less beacon in an object takes the class of a single-target property
    refs = [beacon("Author", ADA), {"beacon": f"weaviate://localhost/{BEA}"}]
    a = c.create({"title": "made", "hasAuthors": refs}, "Article", uuid=str(uuid.uuid4()))
    assert properties(node, "Article", a)["hasAuthors"] == [
        stored_ref("Author", ADA),
        stored_ref("Author", BEA),
    ]
    # Weaviate's merge (PATCH) adds the given references to the ones the object has
    c.update({"hasAuthors": [beacon("Author", CAS)]}, "Article", a)
    assert properties(node, "Article", a)["hasAuthors"] == [
        stored_ref("Author", ADA),
        stored_ref("Author", BEA),
        stored_ref("Author", CAS),
    ]
    # replace (PUT) keeps only what it is given
    c.replace({"title": "redone", "hasAuthors": [beacon("Author", BEA)]}, "Article", a)
    assert properties(node, "Article", a) == {
        "title": "redone",
        "hasAuthors": [stored_ref("Author", BEA)],
    }


def test_auto_schema_infers_a_reference_property(node, db):
    a = str(uuid.uuid4())
    obj = {
        "class": "Article",
        "id": a,
        "properties": {
            "title": "auto",
            "inspiredBy": [beacon("Author", CAS)],
            "mentions": [{"beacon": f"weaviate://localhost/{PEN}"}],
        },
    }
    res = requests.post(f"{node.url}/v1/objects", json=obj, timeout=30)
    assert res.status_code == 200, res.text
    types = {
        p["name"]: p["dataType"]
        for p in requests.get(f"{node.url}/v1/schema/Article", timeout=30).json()["properties"]
    }
    assert types["inspiredBy"] == ["Author"]
    # a beacon without a class: Weaviate looks the object up to learn its class
    assert types["mentions"] == ["Publisher"]
    stored = properties(node, "Article", a)
    assert stored["inspiredBy"] == [stored_ref("Author", CAS)]
    assert stored["mentions"] == [stored_ref("Publisher", PEN)]


# ----------------------------------------------------------------------------- errors


def post_ref(node, path, body):
    return requests.post(f"{node.url}/v1/objects/{path}", json=body, timeout=30)


def test_unknown_source_object_is_404(node, db):
    missing = str(uuid.uuid4())
    with pytest.raises(UnexpectedStatusCodeException) as err:
        db.data_object.reference.add(
            missing, "hasAuthors", ADA, from_class_name="Article", to_class_name="Author"
        )
    assert err.value.status_code == 404
    res = requests.put(
        f"{node.url}/v1/objects/Article/{missing}/references/hasAuthors",
        json=[beacon("Author", ADA)],
        timeout=30,
    )
    assert res.status_code == 404
    res = requests.delete(
        f"{node.url}/v1/objects/Article/{missing}/references/hasAuthors",
        json=beacon("Author", ADA),
        timeout=30,
    )
    assert res.status_code == 404


def test_unknown_source_object_on_the_deprecated_endpoint(node, db):
    # the class-less form answers a missing source with the usecase's 400, sent as 422
    res = post_ref(node, f"{uuid.uuid4()}/references/hasAuthors", beacon("Author", ADA))
    assert res.status_code == 422
    assert "source object deprecated" in error_message(res)


BAD_WRITES = [
    (
        "unknown property",
        "nope",
        beacon("Author", ADA),
        "no such prop with name 'nope' found in class 'Article' in the schema. Check your "
        "schema files for which properties in this class are available",
    ),
    (
        "not a reference property",
        "title",
        beacon("Author", ADA),
        "property 'title' is not a reference-type",
    ),
    (
        "id not a uuid",
        "hasAuthors",
        {"beacon": "weaviate://localhost/Author/not-a-uuid"},
        "invalid cref URI: 2nd path segment must be uuid, but got 'not-a-uuid'",
    ),
    (
        "too many path segments",
        "hasAuthors",
        {"beacon": "weaviate://localhost/Author/x/y"},
        "invalid cref URI: path must be of format '<class>/<uuid>', but got '/Author/x/y'",
    ),
    (
        "target object does not exist",
        "hasAuthors",
        beacon("Author", "c0000000-0000-4000-8000-00000000dead"),
        "no object with id c0000000-0000-4000-8000-00000000dead found",
    ),
]


@pytest.mark.parametrize(
    "prop, body, message", [c[1:] for c in BAD_WRITES], ids=[c[0] for c in BAD_WRITES]
)
def test_refused_reference_writes(node, db, prop, body, message):
    a = article(db, hasAuthors=[("Author", ADA)])
    res = post_ref(node, f"Article/{a}/references/{prop}", body)
    assert res.status_code == 422, res.text
    assert message in error_message(res)
    res = requests.put(
        f"{node.url}/v1/objects/Article/{a}/references/{prop}",
        json=[beacon("Author", BEA), body],
        timeout=30,
    )
    assert res.status_code == 422, res.text
    assert message in error_message(res)
    # nothing of a refused request is kept
    assert properties(node, "Article", a)["hasAuthors"] == [stored_ref("Author", ADA)]


def test_delete_on_a_property_that_is_not_a_reference(node, db):
    a = article(db)
    res = requests.delete(
        f"{node.url}/v1/objects/Article/{a}/references/title",
        json=beacon("Author", ADA),
        timeout=30,
    )
    assert res.status_code == 422, res.text
    assert "property 'title' is not a reference-type" in error_message(res)


def test_a_beacon_to_a_class_the_property_does_not_name(node, db):
    # Shoal's rule from issue 14 (Weaviate 1.27 only checks that the object exists in the
    # beacon's class): the message must name the class and the property.
    a = article(db)
    res = post_ref(node, f"Article/{a}/references/hasAuthors", beacon("Publisher", PEN))
    assert res.status_code == 422, res.text
    message = error_message(res)
    assert "Publisher" in message and "hasAuthors" in message, message
    assert "hasAuthors" not in properties(node, "Article", a)


# ----------------------------------------------------------------------------- batch


def test_batch_references_results_in_order(node, db):
    a, b = article(db), article(db)
    batch = db.batch
    batch.configure(batch_size=None, dynamic=False, consistency_level=ConsistencyLevel.ALL)
    try:
        batch.add_reference(a, "Article", "hasAuthors", ADA, "Author")
        batch.add_reference(b, "Article", "hasSources", PEN, "Publisher")
        batch.add_reference(a, "Article", "hasAuthors", BEA, "Author")
        batch.add_reference(b, "Article", "hasSources", CAS, "Author")
        results = batch.create_references()
    finally:
        batch.configure(batch_size=None, dynamic=False)
    assert [r["result"]["status"] for r in results] == ["SUCCESS"] * 4, results
    assert [(r["from"], r["to"]) for r in results] == [
        (f"weaviate://localhost/Article/{a}/hasAuthors", f"weaviate://localhost/Author/{ADA}"),
        (f"weaviate://localhost/Article/{b}/hasSources", f"weaviate://localhost/Publisher/{PEN}"),
        (f"weaviate://localhost/Article/{a}/hasAuthors", f"weaviate://localhost/Author/{BEA}"),
        (f"weaviate://localhost/Article/{b}/hasSources", f"weaviate://localhost/Author/{CAS}"),
    ]
    assert properties(node, "Article", a)["hasAuthors"] == [
        stored_ref("Author", ADA),
        stored_ref("Author", BEA),
    ]
    assert properties(node, "Article", b)["hasSources"] == [
        stored_ref("Publisher", PEN),
        stored_ref("Author", CAS),
    ]


def test_batch_reference_failures_keep_their_place(node, db):
    a = article(db)
    src = f"weaviate://localhost/Article/{a}"
    refs = [
        {"from": f"{src}/hasAuthors", "to": f"weaviate://localhost/Author/{ADA}"},
        {"from": f"{src}/hasAuthors", "to": "weaviate://localhost/Author/nope"},
        # without a class in `to`, Weaviate reads the property to learn it
        {"from": f"{src}/nope", "to": f"weaviate://localhost/{ADA}"},
        {"from": src, "to": f"weaviate://localhost/Author/{ADA}"},
        {"from": f"{src}/hasAuthors", "to": f"weaviate://localhost/{CAS}"},
    ]
    res = requests.post(f"{node.url}/v1/batch/references", json=refs, timeout=30)
    assert res.status_code == 200, res.text
    out = res.json()
    assert [r["result"]["status"] for r in out] == [
        "SUCCESS",
        "FAILED",
        "FAILED",
        "FAILED",
        "SUCCESS",
    ], out
    messages = [r["result"]["errors"]["error"][0]["message"] for r in out[1:4]]
    assert "invalid cref URI: 2nd path segment must be uuid, but got 'nope'" in messages[0]
    assert "property nope does not exist for class Article" in messages[1]
    assert (
        "invalid cref URI: must use long-form: path must be of format "
        "'/<className>/<uuid>/<propertyName>'" in messages[2]
    )
    assert out[4]["to"] == f"weaviate://localhost/Author/{CAS}"
    assert properties(node, "Article", a)["hasAuthors"] == [
        stored_ref("Author", ADA),
        stored_ref("Author", CAS),
    ]


def test_batch_reference_unknown_property_through_the_client(db):
    a = article(db)
    batch = db.batch
    batch.configure(batch_size=None, dynamic=False)
    batch.add_reference(a, "Article", "nope", ADA)
    results = batch.create_references()
    assert len(results) == 1
    assert results[0]["result"]["status"] == "FAILED"
    assert "property nope does not exist for class Article" in (
        results[0]["result"]["errors"]["error"][0]["message"]
    )


def test_batch_references_carry_their_tenant(node, db):
    # Multi-tenant collections arrive with issue 15; until then the tenant each reference
    # carries is checked against the class, which refuses it here as Weaviate refuses a tenant
    # on a class without multi-tenancy, and a reference without one in the same batch lands.
    a = article(db)
    batch = db.batch
    batch.configure(batch_size=None, dynamic=False, consistency_level=ConsistencyLevel.QUORUM)
    try:
        batch.add_reference(a, "Article", "hasAuthors", ADA, "Author", tenant="t1")
        batch.add_reference(a, "Article", "hasSources", PEN, "Publisher")
        results = batch.create_references()
    finally:
        batch.configure(batch_size=None, dynamic=False)
    assert [r["result"]["status"] for r in results] == ["FAILED", "SUCCESS"], results
    message = results[0]["result"]["errors"]["error"][0]["message"]
    assert "has multi-tenancy disabled, but request was with tenant" in message, message
    props = properties(node, "Article", a)
    assert "hasAuthors" not in props or props["hasAuthors"] == [], props
    assert props["hasSources"] == [stored_ref("Publisher", PEN)]