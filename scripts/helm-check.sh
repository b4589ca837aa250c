#!/usr/bin/env bash
# Checks the Helm chart helm/shoal with the real Helm (no cluster needed):
# - `helm lint` and `helm lint --strict`, for the defaults and every value set;
# - `helm template` for each value set of helm/tests/values (plus the defaults), then every
#   rendered object against the Kubernetes schemas (kubernetes-validate, strict) and the values
#   the chart derives (helm/tests/check_manifests.py);
# - values the chart must refuse: the schema's and the templates' own checks.
# Prints one line per value set and exits non-zero on any failure.
#
#   scripts/helm-check.sh
#
# Helm comes from ${SHOAL_SHARED:-../shared}/tools/helm; the venv is created once in
# ${SHOAL_HELM_VENV:-$HOME/.cache/shoal-helm/venv}.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
SHARED="${SHOAL_SHARED:-$ROOT/../shared}"
HELM="$SHARED/tools/helm"
CHART="$ROOT/helm/shoal"
VALUES="$ROOT/helm/tests/values"
VENV="${SHOAL_HELM_VENV:-$HOME/.cache/shoal-helm/venv}"
PIN="kubernetes-validate==1.37.0"
KUBE_VERSION="1.29.0"

[ -x "$HELM" ] || { echo "helm-check: no Helm at $HELM" >&2; exit 1; }

source scripts/lib/venv.sh
pinned_venv "$VENV" "$PIN"
PY="$VENV/bin/python"
# No __pycache__ inside the repository.
export PYTHONDONTWRITEBYTECODE=1

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
FAILED=0
fail() { echo "FAIL $*"; FAILED=1; }

echo "helm-check: $("$HELM" version --short), $PIN, Kubernetes $KUBE_VERSION schemas"

lint() { # NAME [helm args...]
    local name="$1"; shift
    if "$HELM" lint "$CHART" "$@" > "$WORK/lint.log" 2>&1 \
        && "$HELM" lint --strict "$CHART" "$@" >> "$WORK/lint.log" 2>&1; then
        echo "ok   lint $name (plain and --strict)"
    else
        fail "lint $name"; sed 's/^/     /' "$WORK/lint.log"
    fi
}

# NAME RELEASE NAMESPACE VALUES_FILE(or -) then check_manifests.py options.
render_and_check() {
    local name="$1" release="$2" namespace="$3" values="$4"; shift 4
    local args=(template "$release" "$CHART" --namespace "$namespace" --kube-version "$KUBE_VERSION")
    [ "$values" = - ] || args+=(-f "$VALUES/$values")
    [ "$values" = - ] || lint "$name" -f "$VALUES/$values"
    if ! "$HELM" "${args[@]}" > "$WORK/$name.yaml" 2> "$WORK/$name.err"; then
        fail "$name: helm template failed"; sed 's/^/     /' "$WORK/$name.err"; return
    fi
    (cd "$ROOT/helm/tests" && "$PY" check_manifests.py "$WORK/$name.yaml" --set-name "$name" \
        --namespace "$namespace" "$@") || FAILED=1
}

# NAME EXPECTED_MESSAGE helm-template-args...: the render must fail and say why.
refuse() {
    local name="$1" expected="$2"; shift 2
    if "$HELM" template refused "$CHART" "$@" > /dev/null 2> "$WORK/refused.err"; then
        fail "refuse $name: helm template accepted it"
    elif ! "$PY" -c 'import sys; sys.exit(sys.argv[1] not in open(sys.argv[2]).read())' \
        "$expected" "$WORK/refused.err"; then
        fail "refuse $name: the error does not say \"$expected\":"; sed 's/^/     /' "$WORK/refused.err"
    else
        echo "ok   refuse $name: \"$expected\""
    fi
}

DASH="$CHART/dashboards/shoal.json"
IMG="shoal:0.1.0"
lint defaults
render_and_check defaults shoal default - \
    --fullname shoal --replicas 1 --voters 1 --pdb no --image "$IMG"
render_and_check three shoal default three.yaml \
    --fullname shoal --replicas 3 --voters 3 --pdb yes --image "$IMG"
render_and_check ten shoal default ten.yaml \
    --fullname shoal --replicas 10 --voters 5 --pdb yes --image "$IMG"
render_and_check auth shoal default auth.yaml \
    --fullname shoal --replicas 3 --voters 3 --pdb yes --image "$IMG" \
    --apikeys helm-check-key-alpha,helm-check-key-beta
render_and_check metrics shoal monitoring metrics.yaml \
    --fullname shoal --replicas 3 --voters 3 --pdb yes --image "$IMG" \
    --metrics --service-monitor --dashboard "$DASH"
render_and_check loadbalancer shoal default loadbalancer.yaml \
    --fullname shoal --replicas 1 --voters 1 --pdb no --image "$IMG" \
    --service-type LoadBalancer --service-port 8080
render_and_check grpc-loadbalancer shoal default grpc-loadbalancer.yaml \
    --fullname shoal --replicas 1 --voters 1 --pdb no --image "$IMG" \
    --service-type NodePort --grpc-service-type LoadBalancer --grpc-service-port 50052 --grpc-node-port 30051
render_and_check custom vectors search-prod custom.yaml \
    --fullname vectors-vdb --replicas 4 --voters 3 --pdb yes --domain corp.internal \
    --image registry.example.com/team/shoal:0.1.0-rc1 --apikeys generated \
    --cluster-secret vdb-internal-credentials --grpc-service-type off

refuse "replicas 0" "replicas: Must be greater than or equal to 1" --set replicas=0
refuse "service.type Foo" "service.type must be one of the following" --set service.type=Foo
refuse "grpcService.type Foo" "grpcService.type must be one of the following" --set grpcService.type=Foo
refuse "a typo in grpcService" "Additional property prot is not allowed" --set grpcService.prot=50051
refuse "one node port for both Services" "grpcService.nodePort is 30080, the same as service.nodePort" \
    --set service.type=NodePort --set service.nodePort=30080 \
    --set grpcService.type=NodePort --set grpcService.nodePort=30080
refuse "unknown top-level key" "Additional property replcas is not allowed" --set replcas=3
refuse "a typo in a nested key" "Additional property anonymousAcess is not allowed" --set authentication.anonymousAcess.enabled=false
refuse "a string for replicas" "replicas: Invalid type" --set-string replicas=three
refuse "voters > replicas" "raft.voters is 5 but replicas is 3" --set replicas=3 --set raft.voters=5
refuse "apikey users and keys differ" "authentication.apikey.users has 3 entries but there are 2 keys" \
    --set authentication.apikey.enabled=true --set 'authentication.apikey.allowedKeys={a,b}' \
    --set 'authentication.apikey.users={x,y,z}'
refuse "a chart-owned variable in env" "env.CLUSTER_JOIN is set by the chart" --set env.CLUSTER_JOIN=x:1
refuse "GRPC_PORT in env" "env.GRPC_PORT is set by the chart" --set env.GRPC_PORT=50052
refuse "ServiceMonitor without metrics" "metrics.serviceMonitor.enabled needs metrics.enabled" \
    --set metrics.serviceMonitor.enabled=true

if [ "$FAILED" -ne 0 ]; then
    echo "helm-check: FAILED"
    exit 1
fi
echo "helm-check: all value sets render, validate and hold their derived values; invalid values are refused"
