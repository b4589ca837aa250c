{{/* Ports of the node (the contract of the binary and the image), not values. */}}
{{- define "shoal.httpPort" -}}8080{{- end }}
{{- define "shoal.internalPort" -}}7947{{- end }}
{{- define "shoal.metricsPort" -}}2112{{- end }}
{{- define "shoal.grpcPort" -}}50051{{- end }}
{{- define "shoal.dataPath" -}}/var/lib/shoal{{- end }}

{{- define "shoal.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 52 | trimSuffix "-" }}
{{- end }}

{{/*
The StatefulSet's name and the prefix of every object. 52 characters at most: Service names
are DNS labels (63) and the longest suffix is "-headless".
*/}}
{{- define "shoal.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "shoal.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "shoal.selectorLabels" -}}
app.kubernetes.io/name: {{ include "shoal.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "shoal.labels" -}}
helm.sh/chart: {{ include "shoal.chart" . }}
{{ include "shoal.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "shoal.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "shoal.headlessName" -}}
{{- printf "%s-headless" (include "shoal.fullname" .) }}
{{- end }}

{{- define "shoal.metricsServiceName" -}}
{{- printf "%s-metrics" (include "shoal.fullname" .) }}
{{- end }}

{{- define "shoal.grpcServiceName" -}}
{{- printf "%s-grpc" (include "shoal.fullname" .) }}
{{- end }}

{{- define "shoal.clusterAuthSecret" -}}
{{- default (printf "%s-cluster-auth" (include "shoal.fullname" .)) .Values.clusterAuth.existingSecret }}
{{- end }}

{{- define "shoal.apikeySecret" -}}
{{- default (printf "%s-apikeys" (include "shoal.fullname" .)) .Values.authentication.apikey.existingSecret }}
{{- end }}

{{/* `<fullname>-headless.<namespace>.svc.<clusterDomain>`: the domain of every pod's DNS name. */}}
{{- define "shoal.peerDomain" -}}
{{- printf "%s.%s.svc.%s" (include "shoal.headlessName" .) .Release.Namespace .Values.clusterDomain }}
{{- end }}

{{/*
Voters of the Raft group (RAFT_BOOTSTRAP_EXPECT): raft.voters, else Weaviate's rule
(1 below 3 replicas, 3 from 3, 5 from 10). A voter count above replicas could never form a
cluster, so it fails the render.
*/}}
{{- define "shoal.voters" -}}
{{- $replicas := int .Values.replicas }}
{{- $voters := 1 }}
{{- if ge $replicas 10 }}
{{- $voters = 5 }}
{{- else if ge $replicas 3 }}
{{- $voters = 3 }}
{{- end }}
{{- if not (kindIs "invalid" .Values.raft.voters) }}
{{- $voters = int .Values.raft.voters }}
{{- end }}
{{- if gt $voters $replicas }}
{{- fail (printf "raft.voters is %d but replicas is %d: the voters are pods 0..voters-1, so raise replicas or lower raft.voters" $voters $replicas) }}
{{- end }}
{{- $voters }}
{{- end }}

{{/* CLUSTER_JOIN: the voters' internal addresses, pods 0..voters-1. */}}
{{- define "shoal.clusterJoin" -}}
{{- $full := include "shoal.fullname" . }}
{{- $domain := include "shoal.peerDomain" . }}
{{- $port := include "shoal.internalPort" . }}
{{- $addrs := list }}
{{- range $i := until (include "shoal.voters" . | int) }}
{{- $addrs = append $addrs (printf "%s-%d.%s:%s" $full $i $domain $port) }}
{{- end }}
{{- join "," $addrs }}
{{- end }}

{{/* Environment variables the chart sets itself; `env` may not name them. */}}
{{- define "shoal.ownedEnv" -}}
{{- list "CLUSTER_HOSTNAME" "CLUSTER_DATA_BIND_PORT" "CLUSTER_ADVERTISE_ADDR" "CLUSTER_JOIN" "RAFT_BOOTSTRAP_EXPECT" "CLUSTER_BASIC_AUTH_USERNAME" "CLUSTER_BASIC_AUTH_PASSWORD" "PERSISTENCE_DATA_PATH" "PROMETHEUS_MONITORING_ENABLED" "PROMETHEUS_MONITORING_PORT" "GRPC_PORT" "AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED" "AUTHENTICATION_APIKEY_ENABLED" "AUTHENTICATION_APIKEY_ALLOWED_KEYS" "AUTHENTICATION_APIKEY_USERS" "AUTHORIZATION_ADMINLIST_ENABLED" "AUTHORIZATION_ADMINLIST_USERS" "AUTHORIZATION_ADMINLIST_READONLY_USERS" "QUERY_DEFAULTS_LIMIT" "QUERY_MAXIMUM_RESULTS" "AUTOSCHEMA_ENABLED" "ASYNC_INDEXING" "LOG_LEVEL" "LOG_FORMAT" | toJson }}
{{- end }}

{{/* Refuses value combinations the schema cannot express; renders nothing. */}}
{{- define "shoal.validate" -}}
{{- $owned := include "shoal.ownedEnv" . | fromJsonArray }}
{{- range $key, $_ := .Values.env }}
{{- if has $key $owned }}
{{- fail (printf "env.%s is set by the chart; use its own value instead (see values.yaml)" $key) }}
{{- end }}
{{- end }}
{{- $apikey := .Values.authentication.apikey }}
{{- if $apikey.enabled }}
{{- $users := len $apikey.users }}
{{- if eq $users 0 }}
{{- fail "authentication.apikey.users: list at least one user (key i belongs to user i, or one user owns every key)" }}
{{- end }}
{{- if not $apikey.existingSecret }}
{{- $keys := len $apikey.allowedKeys | max 1 }}
{{- if and (ne $users 1) (ne $users $keys) }}
{{- fail (printf "authentication.apikey.users has %d entries but there are %d keys: give one user for every key, or a single user" $users $keys) }}
{{- end }}
{{- end }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.enabled) }}
{{- fail "metrics.serviceMonitor.enabled needs metrics.enabled: true (nothing would serve /metrics)" }}
{{- end }}
{{- if and .Values.metrics.grafanaDashboard.enabled (not .Values.metrics.enabled) }}
{{- fail "metrics.grafanaDashboard.enabled needs metrics.enabled: true (the dashboard would stay empty)" }}
{{- end }}
{{- include "shoal.validateNodePorts" . }}
{{- $pdb := .Values.podDisruptionBudget }}
{{- if and (not (kindIs "invalid" $pdb.maxUnavailable)) (not (kindIs "invalid" $pdb.minAvailable)) }}
{{- fail "podDisruptionBudget: set maxUnavailable or minAvailable, not both (set the other to null)" }}
{{- end }}
{{- end }}

{{/*
Two Services cannot claim one node port: Kubernetes would refuse the second at install time,
after the first was created.
*/}}
{{- define "shoal.validateNodePorts" -}}
{{- $http := .Values.service }}
{{- $grpc := .Values.grpcService }}
{{- $external := list "NodePort" "LoadBalancer" }}
{{- if and $grpc.enabled (has $http.type $external) (has $grpc.type $external) }}
{{- if and (not (kindIs "invalid" $http.nodePort)) (eq (toString $http.nodePort) (toString $grpc.nodePort)) }}
{{- fail (printf "grpcService.nodePort is %v, the same as service.nodePort: give each Service its own node port" $grpc.nodePort) }}
{{- end }}
{{- end }}
{{- end }}

{{/* Whether the PodDisruptionBudget is rendered: on by default from 2 replicas. */}}
{{- define "shoal.pdbEnabled" -}}
{{- $enabled := .Values.podDisruptionBudget.enabled }}
{{- if kindIs "invalid" $enabled }}
{{- if gt (int .Values.replicas) 1 }}true{{ end }}
{{- else if $enabled }}true{{ end }}
{{- end }}

{{/*
A Service for clients (REST, gRPC): ClusterIP, NodePort or LoadBalancer, one TCP port whose
target is the container port `portName`. Takes a dict: root (the chart's context), svc (the
Service's values), name, portName and, optionally, component.
*/}}
{{- define "shoal.clientService" -}}
{{- $svc := .svc }}
{{- $external := or (eq $svc.type "NodePort") (eq $svc.type "LoadBalancer") }}
apiVersion: v1
kind: Service
metadata:
  name: {{ .name }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "shoal.labels" .root | nindent 4 }}
    {{- with .component }}
    app.kubernetes.io/component: {{ . }}
    {{- end }}
  {{- with $svc.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ $svc.type }}
  selector:
    {{- include "shoal.selectorLabels" .root | nindent 4 }}
  ports:
    - name: {{ .portName }}
      port: {{ $svc.port }}
      targetPort: {{ .portName }}
      protocol: TCP
      {{- if and $external (not (kindIs "invalid" $svc.nodePort)) }}
      nodePort: {{ $svc.nodePort }}
      {{- end }}
  {{- if and $external $svc.externalTrafficPolicy }}
  externalTrafficPolicy: {{ $svc.externalTrafficPolicy }}
  {{- end }}
  {{- if and (eq $svc.type "LoadBalancer") $svc.loadBalancerSourceRanges }}
  loadBalancerSourceRanges:
    {{- toYaml $svc.loadBalancerSourceRanges | nindent 4 }}
  {{- end }}
{{- end }}

{{/* An httpGet probe on the node's HTTP port. */}}
{{- define "shoal.probe" -}}
httpGet:
  path: {{ .path }}
  port: http
periodSeconds: {{ .probe.periodSeconds }}
timeoutSeconds: {{ .probe.timeoutSeconds }}
failureThreshold: {{ .probe.failureThreshold }}
{{- end }}

{{/* `affinity`, else the podAntiAffinity preset over kubernetes.io/hostname. */}}
{{- define "shoal.affinity" -}}
{{- if .Values.affinity }}
affinity:
  {{- toYaml .Values.affinity | nindent 2 }}
{{- else if eq .Values.podAntiAffinity "soft" }}
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- include "shoal.selectorLabels" . | nindent 14 }}
{{- else if eq .Values.podAntiAffinity "hard" }}
affinity:
  podAntiAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      - topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "shoal.selectorLabels" . | nindent 12 }}
{{- end }}
{{- end }}

{{/*
A value of `env` as a string. YAML numbers reach templates as float64, which print as 2.09716e+08
from 1e6 on: whole numbers are printed as integers.
*/}}
{{- define "shoal.envString" -}}
{{- if and (kindIs "float64" .) (eq (float64 (int64 .)) .) }}
{{- int64 . }}
{{- else }}
{{- toString . }}
{{- end }}
{{- end }}
