"""`collection.tenants.get()` on a collection without multi-tenancy. Client 4.24.1 asks every
server >= 1.25 over gRPC `TenantsGet`. Weaviate answers a class without multi-tenancy with a
gRPC error whose message says `multi-tenancy is not enabled for class "<name>"` (the schema's
tenant lookup refuses it before reading any tenant), and the client raises
`WeaviateTenantGetError` with that message. The error must not be UNAVAILABLE, which the client
would retry for half a minute. (Shoal has no tenant endpoints yet: nothing here creates
tenants.)"""

import time

import pytest
from weaviate.classes.config import Configure
from weaviate.exceptions import WeaviateTenantGetError

from support import unique_name


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
    """Multi-tenant collections can be created; until tenants can be added (no tenant endpoint
    yet), `TenantsGet` answers them with no tenants rather than an error."""
    col = make_collection(
        vectorizer_config=Configure.Vectorizer.none(),
        multi_tenancy_config=Configure.multi_tenancy(enabled=True),
    )
    assert col.config.get().multi_tenancy_config.enabled is True
    assert col.tenants.get() == {}
    assert col.tenants.get_by_names(["t1"]) == {}
