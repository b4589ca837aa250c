#!/usr/bin/env python3
"""Checks what `helm template` rendered from the Shoal chart for one value set.

Every built-in object is validated against the Kubernetes JSON schemas of kubernetes-validate
(strict: unknown fields are errors). kubernetes-validate has no schemas for CRDs, so the
ServiceMonitor's shape is checked here instead. Then the values the chart derives are compared
with what the caller expects: Raft voters and CLUSTER_JOIN, secrets, probes, services (the gRPC
one among them), the PDB, metrics. Prints one summary line; exits 1 with the list of failures.

Run by scripts/helm-check.sh inside its venv (kubernetes-validate, PyYAML).
"""

import argparse
import base64
import re
import sys

import kubernetes_validate
import yaml

from check_dashboard import check_dashboard

K8S_VERSION = "1.29.0"
INTERNAL_PORT = 7947
GRPC_PORT = 50051
DATA_PATH = "/var/lib/shoal"
READY, LIVE = "/v1/.well-known/ready", "/v1/.well-known/live"
SERVICE_MONITOR_SPEC = {"selector", "namespaceSelector", "endpoints", "jobLabel"}
SERVICE_MONITOR_ENDPOINT = {"port", "path", "interval", "scrapeTimeout", "relabelings",
                            "metricRelabelings", "scheme"}


class Check:
    """Collects failures instead of stopping at the first one."""

    def __init__(self):
        self.failures = []

    def that(self, ok, message):
        if not ok:
            self.failures.append(message)
        return ok

    def equal(self, got, want, what):
        return self.that(got == want, f"{what}: expected {want!r}, got {got!r}")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("manifests")
    p.add_argument("--set-name", required=True)
    p.add_argument("--namespace", required=True)
    p.add_argument("--fullname", required=True)
    p.add_argument("--replicas", type=int, required=True)
    p.add_argument("--voters", type=int, required=True)
    p.add_argument("--domain", default="cluster.local")
    p.add_argument("--image", required=True)
    p.add_argument("--service-type", default="ClusterIP")
    p.add_argument("--service-port", type=int, default=80)
    p.add_argument("--grpc-service-type", default="ClusterIP",
                   help="the gRPC Service's type, or off: no gRPC Service and no grpc container port")
    p.add_argument("--grpc-service-port", type=int, default=GRPC_PORT)
    p.add_argument("--grpc-node-port", type=int, default=None,
                   help="the node port the gRPC Service must ask for")
    p.add_argument("--pdb", choices=["yes", "no"], required=True)
    p.add_argument("--apikeys", default="off",
                   help="off, generated, or the comma-separated keys the Secret must hold")
    p.add_argument("--cluster-secret", default="",
                   help="an existing Secret the chart must reference instead of creating one")
    p.add_argument("--metrics", action="store_true")
    p.add_argument("--service-monitor", action="store_true")
    p.add_argument("--dashboard", default="",
                   help="path of dashboards/shoal.json when its ConfigMap must be rendered")
    return p.parse_args()


def load(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d]


def by_kind(docs, kind):
    return [d for d in docs if d["kind"] == kind]


def named(docs, kind, name):
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    return found[0] if len(found) == 1 else None


def validate_schemas(check, docs, namespace):
    for doc in docs:
        what = f'{doc["kind"]}/{doc["metadata"]["name"]}'
        check.equal(doc["metadata"].get("namespace"), namespace, f"{what} namespace")
        if doc["kind"] == "ServiceMonitor":
            continue
        try:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as e:
            path = "/".join(str(p) for p in e.path)
            check.that(False, f"{what} is invalid for Kubernetes {K8S_VERSION} at {path}: {e.message}")
        except kubernetes_validate.SchemaNotFoundError as e:
            check.that(False, f"{what}: {e.message}")


def selects(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())


def env_of(container):
    return {e["name"]: e for e in container.get("env", [])}


def secret_ref(env, name):
    ref = env.get(name, {}).get("valueFrom", {}).get("secretKeyRef", {})
    return ref.get("name"), ref.get("key")


def check_cluster_env(check, a, env):
    """Node identity and formation: the heart of the chart."""
    headless = f"{a.fullname}-headless"
    domain = f"{headless}.{a.namespace}.svc.{a.domain}"
    pod_name = env.get("POD_NAME", {}).get("valueFrom", {}).get("fieldRef", {})
    check.equal(pod_name.get("fieldPath"), "metadata.name", "POD_NAME fieldRef")
    check.equal(env.get("CLUSTER_HOSTNAME", {}).get("value"), "$(POD_NAME)", "CLUSTER_HOSTNAME")
    check.equal(env.get("CLUSTER_DATA_BIND_PORT", {}).get("value"), str(INTERNAL_PORT),
                "CLUSTER_DATA_BIND_PORT")
    check.equal(env.get("CLUSTER_ADVERTISE_ADDR", {}).get("value"),
                f"$(POD_NAME).{domain}:{INTERNAL_PORT}", "CLUSTER_ADVERTISE_ADDR")
    join = env.get("CLUSTER_JOIN", {}).get("value", "").split(",")
    check.equal(len(join), a.voters, "number of CLUSTER_JOIN entries")
    check.equal(join, [f"{a.fullname}-{i}.{domain}:{INTERNAL_PORT}" for i in range(a.voters)],
                "CLUSTER_JOIN")
    check.equal(env.get("RAFT_BOOTSTRAP_EXPECT", {}).get("value"), str(a.voters),
                "RAFT_BOOTSTRAP_EXPECT")
    check.equal(env.get("PERSISTENCE_DATA_PATH", {}).get("value"), DATA_PATH, "PERSISTENCE_DATA_PATH")


def check_probes(check, container):
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    check.equal(ports.get("http"), 8080, "container port http")
    check.equal(ports.get("internal"), INTERNAL_PORT, "container port internal")
    for probe, path in (("startupProbe", READY), ("readinessProbe", READY), ("livenessProbe", LIVE)):
        get = container.get(probe, {}).get("httpGet", {})
        check.equal((get.get("path"), get.get("port")), (path, "http"), f"{probe} httpGet")
    check.that(container["startupProbe"]["failureThreshold"] * container["startupProbe"]["periodSeconds"] >= 600,
               "the startupProbe allows a node at least 10 minutes to load its data")


def check_security(check, pod, container):
    ctx = pod.get("securityContext", {})
    check.equal((ctx.get("runAsNonRoot"), ctx.get("runAsUser"), ctx.get("runAsGroup"), ctx.get("fsGroup")),
                (True, 10001, 10001, 10001), "pod securityContext (non-root, uid/gid/fsGroup 10001)")
    sec = container.get("securityContext", {})
    check.that(sec.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem")
    check.that(sec.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation false")
    check.that(not sec.get("privileged"), "the container is not privileged")
    check.that(not pod.get("initContainers"), "no init container")
    mounts = {m["name"]: m["mountPath"] for m in container.get("volumeMounts", [])}
    check.equal(mounts.get("data"), DATA_PATH, "data volume mount")


def check_statefulset(check, a, docs):
    sts = named(docs, "StatefulSet", a.fullname)
    if not check.that(sts is not None, f"one StatefulSet named {a.fullname}"):
        return None
    spec = sts["spec"]
    check.equal(spec["replicas"], a.replicas, "replicas")
    check.equal(spec["podManagementPolicy"], "Parallel", "podManagementPolicy")
    check.equal(spec["serviceName"], f"{a.fullname}-headless", "serviceName")
    pod = spec["template"]["spec"]
    labels = spec["template"]["metadata"]["labels"]
    check.that(selects(spec["selector"]["matchLabels"], labels), "the selector matches the pod labels")
    check.that("checksum/config" in spec["template"]["metadata"].get("annotations", {}),
               "checksum/config annotation on the pod template")
    check.equal(pod.get("terminationGracePeriodSeconds"), 120, "terminationGracePeriodSeconds")
    container = pod["containers"][0]
    check.equal(container["image"], a.image, "image")
    env = env_of(container)
    check_cluster_env(check, a, env)
    check_probes(check, container)
    check_security(check, pod, container)
    claims = [c["metadata"]["name"] for c in spec.get("volumeClaimTemplates", [])]
    check.equal(claims, ["data"], "volumeClaimTemplates")
    config = [r["configMapRef"]["name"] for r in container.get("envFrom", []) if "configMapRef" in r]
    check.that(all(named(docs, "ConfigMap", c) for c in config) and config,
               "envFrom names a rendered ConfigMap")
    return sts, labels, container, env


def check_services(check, a, docs, labels):
    headless = named(docs, "Service", f"{a.fullname}-headless")
    if check.that(headless is not None, "the headless Service"):
        spec = headless["spec"]
        check.equal((spec.get("clusterIP"), spec.get("publishNotReadyAddresses")), ("None", True),
                    "headless Service clusterIP/publishNotReadyAddresses")
        ports = {p["name"]: p["port"] for p in spec["ports"]}
        check.equal(ports.get("internal"), INTERNAL_PORT, "headless Service internal port")
        check.that(selects(spec["selector"], labels), "the headless Service selects the pods")
    client = named(docs, "Service", a.fullname)
    if check.that(client is not None, "the client Service"):
        spec = client["spec"]
        check.equal(spec["type"], a.service_type, "client Service type")
        check.equal([(p["port"], p["targetPort"]) for p in spec["ports"]], [(a.service_port, "http")],
                    "client Service ports")
        check.that(selects(spec["selector"], labels), "the client Service selects the pods")


def check_grpc(check, a, docs, labels, container):
    """The node always serves gRPC on its own port; its Service and container port follow grpcService."""
    config = named(docs, "ConfigMap", a.fullname)["data"]
    check.equal(config.get("GRPC_PORT"), str(GRPC_PORT), "GRPC_PORT in the ConfigMap")
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    service = named(docs, "Service", f"{a.fullname}-grpc")
    if a.grpc_service_type == "off":
        check.that("grpc" not in ports, "no grpc container port when grpcService is off")
        check.that(service is None, "no gRPC Service when grpcService is off")
        return
    check.equal(ports.get("grpc"), GRPC_PORT, "container port grpc")
    if not check.that(service is not None, f"the gRPC Service {a.fullname}-grpc"):
        return
    spec = service["spec"]
    check.equal(spec["type"], a.grpc_service_type, "gRPC Service type")
    check.equal([(p["name"], p["port"], p["targetPort"], p["protocol"]) for p in spec["ports"]],
                [("grpc", a.grpc_service_port, "grpc", "TCP")], "gRPC Service ports")
    check.equal(spec["ports"][0].get("nodePort"), a.grpc_node_port, "gRPC Service nodePort")
    check.that(selects(spec["selector"], labels), "the gRPC Service selects the pods")


def check_secrets(check, a, docs, env):
    """Keys and the internal password are only in Secrets, and the pods read them from there."""
    expected_secret = a.cluster_secret or f"{a.fullname}-cluster-auth"
    for var, key in (("CLUSTER_BASIC_AUTH_USERNAME", "username"), ("CLUSTER_BASIC_AUTH_PASSWORD", "password")):
        check.equal(secret_ref(env, var), (expected_secret, key), f"{var} secretKeyRef")
    rendered = named(docs, "Secret", f"{a.fullname}-cluster-auth")
    secret_values = []
    if a.cluster_secret:
        check.that(rendered is None, "no cluster-auth Secret when an existing one is named")
    elif check.that(rendered is not None, "the cluster-auth Secret"):
        data = {k: base64.b64decode(v).decode() for k, v in rendered["data"].items()}
        check.equal(data.get("username"), "shoal", "cluster username")
        check.that(len(data.get("password", "")) >= 32, "a generated password of 32 characters")
        secret_values.append(data.get("password", ""))
    apikeys = named(docs, "Secret", f"{a.fullname}-apikeys")
    if a.apikeys == "off":
        check.that("AUTHENTICATION_APIKEY_ALLOWED_KEYS" not in env, "no API key variable")
        check.that(apikeys is None, "no API key Secret")
    elif check.that(apikeys is not None, "the API key Secret"):
        check.equal(secret_ref(env, "AUTHENTICATION_APIKEY_ALLOWED_KEYS"),
                    (f"{a.fullname}-apikeys", "allowed-keys"), "AUTHENTICATION_APIKEY_ALLOWED_KEYS")
        keys = base64.b64decode(apikeys["data"]["allowed-keys"]).decode().split(",")
        if a.apikeys == "generated":
            check.that(len(keys) == 1 and len(keys[0]) == 32, "one generated key of 32 characters")
        else:
            check.equal(keys, a.apikeys.split(","), "API keys in the Secret")
        secret_values.extend(keys)
    for cm in by_kind(docs, "ConfigMap"):
        text = yaml.safe_dump(cm.get("data", {}))
        for value in secret_values:
            check.that(value not in text, f'a secret value appears in ConfigMap {cm["metadata"]["name"]}')
        check.that("ALLOWED_KEYS" not in text and "PASSWORD" not in text,
                   f'ConfigMap {cm["metadata"]["name"]} names no key or password variable')


def check_config_values(check, docs):
    """Every setting a node parses as a number must be written out as one."""
    for cm in by_kind(docs, "ConfigMap"):
        for key, value in cm.get("data", {}).items():
            check.that(not re.fullmatch(r"[0-9.]+e[+-][0-9]+", value),
                       f'ConfigMap {cm["metadata"]["name"]}: {key} is in exponent form ({value})')


def check_pdb(check, a, docs, labels):
    pdbs = by_kind(docs, "PodDisruptionBudget")
    if a.pdb == "no":
        check.equal(len(pdbs), 0, "PodDisruptionBudgets")
        return
    if check.equal(len(pdbs), 1, "PodDisruptionBudgets"):
        spec = pdbs[0]["spec"]
        check.equal(spec.get("maxUnavailable"), 1, "PDB maxUnavailable")
        check.that(selects(spec["selector"]["matchLabels"], labels), "the PDB selects the pods")


def check_service_monitor(check, a, docs, container):
    monitors = by_kind(docs, "ServiceMonitor")
    if not a.service_monitor:
        check.equal(len(monitors), 0, "ServiceMonitors")
        return
    if not check.equal(len(monitors), 1, "ServiceMonitors"):
        return
    sm = monitors[0]
    check.equal(sm["apiVersion"], "monitoring.coreos.com/v1", "ServiceMonitor apiVersion")
    spec = sm["spec"]
    check.that(set(spec) <= SERVICE_MONITOR_SPEC, f"ServiceMonitor spec fields {sorted(spec)}")
    check.equal(spec.get("namespaceSelector", {}).get("matchNames"), [a.namespace],
                "ServiceMonitor namespaceSelector")
    selector = spec["selector"]["matchLabels"]
    services = [s for s in by_kind(docs, "Service") if selects(selector, s["metadata"]["labels"])]
    if not check.equal(len(services), 1, "Services the ServiceMonitor selects"):
        return
    port_names = {p["name"]: p.get("targetPort") for p in services[0]["spec"]["ports"]}
    container_ports = {p["name"] for p in container["ports"]}
    for endpoint in spec["endpoints"]:
        check.that(set(endpoint) <= SERVICE_MONITOR_ENDPOINT, f"ServiceMonitor endpoint fields {sorted(endpoint)}")
        check.that(endpoint["port"] in port_names, f'endpoint port {endpoint["port"]} is a port of the Service')
        check.that(port_names.get(endpoint["port"]) in container_ports,
                   "the Service's metrics port targets a container port")
        check.equal(endpoint.get("path"), "/metrics", "ServiceMonitor path")


def check_metrics(check, a, docs, container):
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    config = named(docs, "ConfigMap", a.fullname)["data"]
    check.equal(config.get("PROMETHEUS_MONITORING_ENABLED"), "true" if a.metrics else "false",
                "PROMETHEUS_MONITORING_ENABLED")
    check.equal(ports.get("metrics"), 2112 if a.metrics else None, "container port metrics")
    check.equal(named(docs, "Service", f"{a.fullname}-metrics") is not None, a.metrics, "metrics Service rendered")
    check_service_monitor(check, a, docs, container)
    dash = named(docs, "ConfigMap", f"{a.fullname}-dashboard")
    if not a.dashboard:
        check.that(dash is None, "no dashboard ConfigMap")
    elif check.that(dash is not None, "the dashboard ConfigMap"):
        check.equal(dash["metadata"]["labels"].get("grafana_dashboard"), "1", "grafana_dashboard label")
        with open(a.dashboard, encoding="utf-8") as f:
            check.equal(dash["data"].get("shoal.json"), f.read().rstrip("\n"), "dashboard ConfigMap content")


def main():
    a = parse_args()
    docs = load(a.manifests)
    check = Check()
    validate_schemas(check, docs, a.namespace)
    found = check_statefulset(check, a, docs)
    if found:
        _, labels, container, env = found
        check_services(check, a, docs, labels)
        check_grpc(check, a, docs, labels, container)
        check_secrets(check, a, docs, env)
        check_config_values(check, docs)
        check_pdb(check, a, docs, labels)
        check_metrics(check, a, docs, container)
    if a.dashboard:
        check_dashboard(check, a.dashboard)
    kinds = ", ".join(sorted(f'{d["kind"]}/{d["metadata"]["name"]}' for d in docs))
    if check.failures:
        print(f"FAIL {a.set_name}: {len(check.failures)} problem(s)")
        for failure in check.failures:
            print(f"     - {failure}")
        sys.exit(1)
    crd = " (ServiceMonitor shape checked by the script: kubernetes-validate has no CRD schemas)" \
        if a.service_monitor else ""
    print(f"ok   {a.set_name}: {len(docs)} objects valid for Kubernetes {K8S_VERSION} (strict){crd}; "
          f"replicas {a.replicas}, voters {a.voters}, service {a.service_type}, grpc {a.grpc_service_type}, "
          f"PDB {a.pdb}, apikeys {a.apikeys}, metrics {'on' if a.metrics else 'off'}\n     [{kinds}]")


if __name__ == "__main__":
    main()
