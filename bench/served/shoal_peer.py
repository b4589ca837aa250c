"""Shoal as a served peer: one server per dataset and mode (ASYNC_INDEXING off or on), the
class over REST, imports over REST, raw gRPC and the v4 client, the wait until every vector is
in the index, and the ids that GraphQL and gRPC searches return."""

import json
import os
import struct
import time
import uuid

import grpc
import requests
import weaviate
from google.protobuf.struct_pb2 import Struct
from weaviate.classes.data import DataObject
from weaviate.classes.query import MetadataQuery
from weaviate.config import AdditionalConfig, Timeout
from weaviate.proto.v1 import batch_pb2

from load import post_sequential
from procs import Server, free_ports

REST_CLASS, GRPC_CLASS, CLIENT_CLASS = "ServedRest", "ServedGrpc", "ServedClient"
HNSW = {"maxConnections": 16, "efConstruction": 128, "ef": 64}
POLL_SECONDS = 0.02
STALL_SECONDS = 10
MAX_MESSAGE = 1 << 30


def object_id(row):
    """Row number in the last 12 hex digits, so that recall reads the row from the id."""
    return str(uuid.UUID(int=row))


def row_of(object_id):
    return int(object_id.replace("-", "")[-12:], 16)


# ----------------------------------------------------------------------------- encoding


def rest_bodies(cls, base, per_batch):
    return [
        json.dumps({"objects": [
            {"class": cls, "id": object_id(lo + j), "properties": {"row": lo + j}, "vector": v.tolist()}
            for j, v in enumerate(base[lo:lo + per_batch])
        ]}).encode()
        for lo in range(0, len(base), per_batch)
    ]


def grpc_requests(cls, base, per_batch):
    """Serialized BatchObjectsRequests as weaviate-client 4.24.1's insert_many builds them for an
    object with one unnamed vector: `vector_bytes` = float32 native order (struct "f"), scalar
    properties in the `non_ref_properties` Struct, `vectors` unset."""
    out = []
    for lo in range(0, len(base), per_batch):
        objects = []
        for j, v in enumerate(base[lo:lo + per_batch]):
            props = Struct()
            props.update({"row": lo + j})
            objects.append(batch_pb2.BatchObject(
                collection=cls, uuid=object_id(lo + j),
                properties=batch_pb2.BatchObject.Properties(non_ref_properties=props),
                vector_bytes=struct.pack(f"{len(v)}f", *v.tolist()),
            ))
        out.append(batch_pb2.BatchObjectsRequest(objects=objects).SerializeToString())
    return out


def data_objects(base, per_batch):
    return [
        [DataObject(properties={"row": lo + j}, uuid=object_id(lo + j), vector=v.tolist())
         for j, v in enumerate(base[lo:lo + per_batch])]
        for lo in range(0, len(base), per_batch)
    ]


def graphql_bodies(cls, queries):
    return [
        json.dumps({"query": "{ Get { %s(nearVector: {vector: %s}, limit: 10) { _additional { id distance } } } }"
                    % (cls, json.dumps(q.tolist()))}).encode()
        for q in queries
    ]


# ----------------------------------------------------------------------------- server


class ShoalPeer:
    def __init__(self, binary, async_indexing, metric, log_path, tmp):
        self.metric = metric
        self.port, self.data_port, self.grpc_port = free_ports(3)
        self.url = f"http://127.0.0.1:{self.port}"
        data_dir = os.path.join(tmp, f"shoal-{self.port}")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
            "PERSISTENCE_DATA_PATH": data_dir, "CLUSTER_HOSTNAME": "bench",
            "CLUSTER_DATA_BIND_PORT": str(self.data_port), "GRPC_PORT": str(self.grpc_port),
            "LOG_FORMAT": "text", "LOG_LEVEL": "warn",
            "ASYNC_INDEXING": "true" if async_indexing else "false",
        }
        self.server = Server("shoal", [binary, "--host", "127.0.0.1", "--port", str(self.port)], env,
                             log_path, os.path.join(tmp, "pids"))
        self.server.wait_ready(self.url + "/v1/.well-known/ready")
        self.http = requests.Session()
        self.client = None
        self.channel = None

    def version(self):
        return self.http.get(self.url + "/v1/meta").json().get("version")

    def stop(self):
        if self.client:
            self.client.close()
        if self.channel:
            self.channel.close()
        self.server.stop()

    def create_class(self, cls):
        body = {"class": cls, "vectorizer": "none", "vectorIndexType": "hnsw",
                "vectorIndexConfig": dict(HNSW, distance=self.metric),
                "properties": [{"name": "row", "dataType": ["int"]}]}
        r = self.http.post(self.url + "/v1/schema", json=body)
        if r.status_code != 200:
            raise RuntimeError(f"creating {cls}: {r.status_code} {r.text}")

    def delete_class(self, cls):
        self.http.delete(f"{self.url}/v1/schema/{cls}").raise_for_status()

    # ------------------------------------------------------------------------- imports

    def import_rest(self, bodies):
        """Returns (start, seconds, answers); check_rest() reads the answers later: they echo every
        vector (as Weaviate's do), and parsing them takes seconds that the time to indexed must
        not include."""
        self.create_class(REST_CLASS)
        return post_sequential("127.0.0.1", self.port, "/v1/batch/objects", bodies)

    @staticmethod
    def check_rest(answers, n):
        acknowledged = 0
        for status, raw in answers:
            if status != 200:
                raise RuntimeError(f"batch answered {status}: {raw[:500]!r}")
            for entry in json.loads(raw):
                if (entry.get("result") or {}).get("status") != "SUCCESS":
                    raise RuntimeError(f"batch entry failed: {json.dumps(entry)[:500]}")
                acknowledged += 1
        if acknowledged != n:
            raise RuntimeError(f"{acknowledged} of {n} objects acknowledged")

    def import_grpc_raw(self, serialized, n):
        """Pre-serialized requests through a bare grpcio channel: no client encoding in the clock."""
        self.create_class(GRPC_CLASS)
        self.channel = grpc.insecure_channel(
            f"127.0.0.1:{self.grpc_port}",
            options=[("grpc.max_send_message_length", MAX_MESSAGE), ("grpc.max_receive_message_length", MAX_MESSAGE)])
        grpc.channel_ready_future(self.channel).result(timeout=10)
        call = self.channel.unary_unary("/weaviate.v1.Weaviate/BatchObjects")  # bytes in, bytes out
        answers = []
        start = time.perf_counter()
        for request in serialized:
            answers.append(call(request, timeout=600))
        seconds = time.perf_counter() - start
        for raw in answers:
            reply = batch_pb2.BatchObjectsReply.FromString(raw)
            if reply.errors:
                raise RuntimeError(f"gRPC batch: {len(reply.errors)} errors, first: {reply.errors[0]}")
        return start, seconds

    def import_client(self, batches, n):
        """weaviate-client's insert_many: its own encoding of the DataObjects is in the clock."""
        self.create_class(CLIENT_CLASS)
        collection = self.v4().collections.get(CLIENT_CLASS)
        results = []
        start = time.perf_counter()
        for batch in batches:
            results.append(collection.data.insert_many(batch))
        seconds = time.perf_counter() - start
        for res in results:
            if res.has_errors:
                raise RuntimeError(f"insert_many: {list(res.errors.values())[:1]}")
        if sum(len(res.uuids) for res in results) != n:
            raise RuntimeError(f"insert_many acknowledged {sum(len(res.uuids) for res in results)} of {n}")
        return start, seconds

    def wait_indexed(self, cls, n, start, timeout=1800):
        """Seconds from `start` (the import's first byte) until /v1/nodes shows every shard of
        the class READY with an empty vector queue and n objects. Also returns what the first
        poll saw, to show whether the status moved through INDEXING. Idle with fewer objects for
        STALL_SECONDS means some were not stored: the import's answers then tell why."""
        first, idle_since = None, None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = self.http.get(f"{self.url}/v1/nodes/{cls}", params={"output": "verbose"})
            r.raise_for_status()
            shards = [s for node in r.json()["nodes"] for s in (node.get("shards") or [])]
            state = {
                "objects": sum(s.get("objectCount", 0) for s in shards),
                "queue": sum(s.get("vectorQueueLength", 0) for s in shards),
                "statuses": sorted({s.get("vectorIndexingStatus") for s in shards}),
            }
            first = first or state
            idle = state["queue"] == 0 and state["statuses"] == ["READY"]
            if shards and idle and state["objects"] == n:
                return time.perf_counter() - start, first
            idle_since = (idle_since or time.monotonic()) if idle else None
            if idle_since and time.monotonic() - idle_since > STALL_SECONDS:
                raise RuntimeError(f"{cls}: indexing is idle with {state}, expected {n} objects")
            time.sleep(POLL_SECONDS)
        raise RuntimeError(f"{cls} not indexed after {timeout} s: {state}")

    # ------------------------------------------------------------------------- queries

    def graphql_url(self):
        return self.url + "/v1/graphql"

    def graphql_ids(self, bodies, cls):
        out = []
        for body in bodies:
            r = self.http.post(self.graphql_url(), data=body, headers={"Content-Type": "application/json"})
            answer = r.json()
            if r.status_code != 200 or answer.get("errors"):
                raise RuntimeError(f"GraphQL: {r.status_code} {r.text[:500]}")
            out.append([row_of(o["_additional"]["id"]) for o in answer["data"]["Get"][cls]])
        return out

    def grpc_ids(self, queries, cls):
        collection = self.v4().collections.get(cls)
        return [
            [row_of(str(o.uuid)) for o in collection.query.near_vector(
                near_vector=q.tolist(), limit=10, return_metadata=MetadataQuery(distance=True)).objects]
            for q in queries
        ]

    def v4(self):
        if self.client is None:
            self.client = weaviate.connect_to_custom(
                http_host="127.0.0.1", http_port=self.port, http_secure=False,
                grpc_host="127.0.0.1", grpc_port=self.grpc_port, grpc_secure=False,
                additional_config=AdditionalConfig(timeout=Timeout(init=30, query=300, insert=600)))
        return self.client
