{{/* The chart's name, or nameOverride. */}}
{{- define "sca.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The release's full name: fullnameOverride, else <release>-<chart> (or just the
release when it already holds the chart's name). At most 52 characters, so a
per-shard Service `<fullname>-<ordinal>` and the StatefulSet's pod names and
controller-revision label stay within Kubernetes' 63.
*/}}
{{- define "sca.fullname" -}}
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

{{- define "sca.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sca.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sca.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "sca.labels" -}}
helm.sh/chart: {{ include "sca.chart" . }}
{{ include "sca.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "sca.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "sca.external" -}}
{{- if eq .Values.mainCluster.provider "external" }}true{{ end }}
{{- end }}

{{/* The in-cluster service account is the main cluster's credentials (external, no kubeconfig Secret). */}}
{{- define "sca.inCluster" -}}
{{- if and (include "sca.external" .) (not .Values.mainCluster.external.kubeconfigSecret) }}true{{ end }}
{{- end }}

{{/* The chart's ServiceAccount when it makes one (external, rbac.create), else serviceAccount.name or the namespace's default. */}}
{{- define "sca.serviceAccountName" -}}
{{- if and (include "sca.external" .) .Values.rbac.create }}
{{- default (include "sca.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret this chart makes (access token, and the Rancher token when given as a value). */}}
{{- define "sca.secretName" -}}
{{- include "sca.fullname" . }}
{{- end }}

{{- define "sca.accessTokenSecret" -}}
{{- default (include "sca.secretName" .) .Values.accessToken.existingSecret }}
{{- end }}

{{- define "sca.accessTokenKey" -}}
{{- if .Values.accessToken.existingSecret }}{{ .Values.accessToken.existingSecretKey }}{{ else }}access-token{{ end }}
{{- end }}

{{- define "sca.rancherTokenSecret" -}}
{{- default (include "sca.secretName" .) .Values.rancher.existingSecret }}
{{- end }}

{{- define "sca.rancherTokenKey" -}}
{{- if .Values.rancher.existingSecret }}{{ .Values.rancher.existingSecretKey }}{{ else }}rancher-token{{ end }}
{{- end }}

{{/* True when the agent gets a Rancher token from a Secret. */}}
{{- define "sca.hasRancherToken" -}}
{{- if or .Values.rancher.existingSecret .Values.rancher.token }}true{{ end }}
{{- end }}

{{/*
Requests and limits: .Values.resources when given, else computed from
clustersPerShard and the figures in .Values.sizing (see values.yaml).
*/}}
{{- define "sca.resources" -}}
{{- if .Values.resources }}
{{- toYaml .Values.resources }}
{{- else }}
{{- $s := .Values.sizing }}
{{- $n := float64 .Values.clustersPerShard }}
{{- $mem := addf $s.agentBaseMiB (mulf $n $s.agentPerClusterMiB) }}
{{- $cpu := addf $s.agentBaseMillicores (mulf $n $s.agentIdleMillicoresPerCluster) }}
{{- $cpuLimit := addf $s.cpuLimitMillicores (mulf $n $s.agentBusyMillicoresPerCluster) }}
{{- if not (include "sca.external" .) }}
{{- $mem = addf $mem $s.kwokctlBaseMiB (mulf $n $s.kwokctlPerClusterMiB) }}
{{- $cpu = addf $cpu $s.kwokctlBaseMillicores (mulf $n $s.kwokctlMillicoresPerCluster) }}
{{- $cpuLimit = addf $cpuLimit $s.kwokctlCpuLimitMillicores (mulf $n $s.kwokctlMillicoresPerCluster) }}
{{- end }}
requests:
  cpu: {{ printf "%dm" (int (ceil $cpu)) }}
  memory: {{ printf "%dMi" (int (ceil $mem)) }}
limits:
  {{- if gt (float64 $s.cpuLimitMillicores) 0.0 }}
  cpu: {{ printf "%dm" (int (ceil $cpuLimit)) }}
  {{- end }}
  memory: {{ printf "%dMi" (int (ceil (mulf $mem $s.memoryLimitFactor))) }}
{{- end }}
{{- end }}

{{/* Checks no schema can express; each fails with what to set. */}}
{{- define "sca.validate" -}}
{{- if and .Values.rancher.url (not (include "sca.hasRancherToken" .)) }}
{{- fail "rancher.url is set but no Rancher token: set rancher.existingSecret (a Secret with key rancher.existingSecretKey) or rancher.token" }}
{{- end }}
{{- if and (not .Values.rancher.url) (or .Values.rancher.token .Values.rancher.existingSecret .Values.rancher.caCert) }}
{{- fail "a Rancher token or CA is set but rancher.url is empty: set rancher.url (https://rancher.example.com)" }}
{{- end }}
{{- range $i, $entry := .Values.fleet.clusters }}
{{- $ways := 0 }}
{{- range $way := list "name" "pattern" "prefix" }}{{ if hasKey $entry $way }}{{ $ways = add1 $ways }}{{ end }}{{ end }}
{{- if ne $ways 1 }}
{{- fail (printf "fleet.clusters[%d]: give exactly one of name, pattern or prefix (with count), got %d" $i $ways) }}
{{- end }}
{{- if and (hasKey $entry "prefix") (not (hasKey $entry "count")) }}
{{- fail (printf "fleet.clusters[%d]: prefix needs count (how many clusters)" $i) }}
{{- end }}
{{- if and (not (hasKey $entry "prefix")) (or (hasKey $entry "count") (hasKey $entry "start") (hasKey $entry "padding")) }}
{{- fail (printf "fleet.clusters[%d]: count, start and padding go with prefix" $i) }}
{{- end }}
{{- end }}
{{- if and .Values.mainCluster.external.kubeconfigSecret (not (include "sca.external" .)) }}
{{- fail "mainCluster.external.kubeconfigSecret is set but mainCluster.provider is kwokctl: set mainCluster.provider=external to use it" }}
{{- end }}
{{- end }}
