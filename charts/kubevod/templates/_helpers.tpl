{{/* Names, labels and shared fragments of the kubevod chart. */}}

{{- define "kubevod.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* <release>-kubevod, or the release name alone when it already contains the chart name. */}}
{{- define "kubevod.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "kubevod.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of a component's objects: kubevod.componentName (dict "root" $ "component" "api") */}}
{{- define "kubevod.componentName" -}}
{{- printf "%s-%s" (include "kubevod.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "kubevod.labels" -}}
helm.sh/chart: {{ include "kubevod.chart" . }}
app.kubernetes.io/name: {{ include "kubevod.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: kubevod
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of a component (stable: never add mutable labels here). */}}
{{- define "kubevod.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kubevod.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "kubevod.componentLabels" -}}
{{ include "kubevod.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* The image of a component: kubevod.image (dict "root" $ "component" "api" "values" .Values.api) */}}
{{- define "kubevod.image" -}}
{{- $repo := .values.image.repository | default (printf "%s/%s" .root.Values.image.repository .component) }}
{{- $tag := .values.image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion }}
{{- printf "%s:%s" $repo $tag }}
{{- end }}

{{- define "kubevod.serviceAccountName" -}}
{{ include "kubevod.componentName" . }}
{{- end }}

{{/* S3 settings ------------------------------------------------------------------------------ */}}
{{- define "kubevod.s3Secret" -}}
{{- .Values.storage.existingSecret | default (printf "%s-s3" (include "kubevod.fullname" .)) }}
{{- end }}

{{- define "kubevod.s3Endpoint" -}}
{{- if .Values.storage.endpoint }}
{{- .Values.storage.endpoint }}
{{- else if .Values.minio.enabled }}
{{- printf "http://%s:9000" (include "kubevod.componentName" (dict "root" . "component" "minio")) }}
{{- else }}
{{- fail "storage.endpoint is required when minio.enabled is false" }}
{{- end }}
{{- end }}

{{/* The S3_* environment of a component (credentials from the Secret). */}}
{{- define "kubevod.s3Env" -}}
- name: S3_ENDPOINT
  value: {{ include "kubevod.s3Endpoint" . | quote }}
- name: S3_REGION
  value: {{ .Values.storage.region | quote }}
- name: S3_BUCKET
  value: {{ .Values.storage.bucket | quote }}
- name: S3_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "kubevod.s3Secret" . }}
      key: {{ .Values.storage.accessKeyKey }}
- name: S3_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "kubevod.s3Secret" . }}
      key: {{ .Values.storage.secretKeyKey }}
{{- end }}

{{/* A stable random value: the existing Secret's key if the Secret exists (upgrades), else new. */}}
{{- define "kubevod.stableSecretValue" -}}
{{- $existing := lookup "v1" "Secret" .namespace .name }}
{{- if and $existing (hasKey $existing.data .key) }}
{{- index $existing.data .key | b64dec }}
{{- else }}
{{- randAlphaNum (int .length) }}
{{- end }}
{{- end }}

{{/* The base URL of the playback service as clients see it. */}}
{{- define "kubevod.playbackUrl" -}}
{{- if .Values.api.playbackUrl }}
{{- .Values.api.playbackUrl }}
{{- else if and .Values.ingress.enabled .Values.ingress.playback.host }}
{{- printf "%s://%s" (ternary "https" "http" (gt (len .Values.ingress.tls) 0)) .Values.ingress.playback.host }}
{{- else if and .Values.httpRoute.enabled .Values.httpRoute.playback.hostnames }}
{{- printf "http://%s" (first .Values.httpRoute.playback.hostnames) }}
{{- else }}
{{- printf "http://%s.%s.svc:%v" (include "kubevod.componentName" (dict "root" . "component" "playback")) .Release.Namespace .Values.playback.service.port }}
{{- end }}
{{- end }}

{{/* Pod-level fields shared by every Deployment / StatefulSet. */}}
{{- define "kubevod.podCommon" -}}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .root.Values.podSecurityContext | nindent 2 }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Spread replicas of a component over nodes when possible (soft). */}}
{{- define "kubevod.topologySpread" -}}
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "kubevod.selectorLabels" . | nindent 8 }}
{{- end }}
