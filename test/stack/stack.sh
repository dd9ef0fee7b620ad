#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The one-command local stack (`npm run stack`, `npm run stack:down`):
#
#   stack.sh up      cluster -> tools -> images -> Traefik -> chart -> sample upload -> playable URLs
#   stack.sh down    uninstall; stop the local cluster if this script started it
#   stack.sh env     print the stack's settings as `export` lines (for tests and shells)
#
# Cluster: with KUBECONFIG pointing at a cluster that answers, kubevod is installed there (set
# KUBEVOD_REGISTRY to a registry that cluster pulls from; Traefik is then not installed: bring your
# own ingress, see charts/kubevod/values.yaml). Otherwise the local single-node cluster
# (test/cluster/cluster.sh, tier "node", with its registry on localhost:5000) is built and started.
# Idempotent: a second run reuses everything that is up and only rebuilds what changed.
#
# Env: STACK_SAMPLE=0 skips the sample upload; STACK_HTTP_PORT (8080) is Traefik's port on this
# host; KUBEVOD_NAMESPACE (kubevod), KUBEVOD_RELEASE (kubevod); STACK_DOWN_CLUSTER=1 makes `down`
# stop the local cluster even if it was running before `up`.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SCRIPT_NAME=stack
# shellcheck source=../cluster/lib.sh
. "$ROOT/test/cluster/lib.sh"

NS=${KUBEVOD_NAMESPACE:-kubevod}
RELEASE=${KUBEVOD_RELEASE:-kubevod}
STACK_HTTP_PORT=${STACK_HTTP_PORT:-8080}
API_HOST=api.kubevod.localhost
PLAY_HOST=play.kubevod.localhost
STACK_STATE=$STATE/stack
TRAEFIK_VERSION=v3.6.12
DOCKER=${DOCKER:-/usr/bin/docker}
mkdir -p "$STACK_STATE"

# ------------------------------------------------------------------ progress --
STEPS_TOTAL=8
_step_n=0
_t_start=$SECONDS
TIMINGS=()
step() { # NAME FUNCTION: run one numbered, timed step
  local name=$1 t0=$SECONDS
  _step_n=$((_step_n + 1))
  printf '\n\033[1m[%d/%d] %s\033[0m\n' "$_step_n" "$STEPS_TOTAL" "$name" >&2
  "$2"
  TIMINGS+=("$(printf '%-40s %5ss' "$name" $((SECONDS - t0)))")
  printf '    done in %ss (total %ss)\n' $((SECONDS - t0)) $((SECONDS - _t_start)) >&2
}

KUBECTL=""
HELM=""
kc() { "$KUBECTL" "$@"; }

# ------------------------------------------------------------------- cluster --
cluster_answers() { [ -n "${KUBECONFIG:-}" ] && "$(kubectl_bin)" --request-timeout=5s version >/dev/null 2>&1; }

step_cluster() {
  local local_kc
  local_kc=$(bash "$ROOT/test/cluster/cluster.sh" env node 2>/dev/null | sed -n 's/^export KUBECONFIG=//p')
  if [ -n "${KUBECONFIG:-}" ] && [ "$KUBECONFIG" != "$local_kc" ]; then
    cluster_answers || die "KUBECONFIG=$KUBECONFIG does not answer (unset it to use the local cluster)"
    [ -n "${KUBEVOD_REGISTRY:-}" ] || die "installing into $KUBECONFIG: set KUBEVOD_REGISTRY to a registry that cluster pulls from"
    REGISTRY=$KUBEVOD_REGISTRY
    echo external >"$STACK_STATE/cluster"
    log "using the cluster of KUBECONFIG=$KUBECONFIG, images via $REGISTRY"
  else
    # Remember whether the cluster was already running, so `down` leaves it as it found it.
    if [ ! -s "$STACK_STATE/cluster" ] || [ "$(cat "$STACK_STATE/cluster")" = external ]; then
      if bash "$ROOT/test/cluster/cluster.sh" status controlplane >/dev/null 2>&1; then
        echo local-preexisting >"$STACK_STATE/cluster"
      else
        echo local-started >"$STACK_STATE/cluster"
      fi
    fi
    if bash "$ROOT/test/cluster/cluster.sh" status node >/dev/null 2>&1; then
      log "the local node tier is up: reused"
    else
      bash "$ROOT/test/cluster/cluster.sh" build node
      bash "$ROOT/test/cluster/cluster.sh" up node
    fi
    eval "$(bash "$ROOT/test/cluster/cluster.sh" env node)"
    export KUBECONFIG
    REGISTRY=${KUBEVOD_REGISTRY:-$LOCAL_REGISTRY}
  fi
  KUBECTL=$(kubectl_bin)
  kc get nodes -o wide >&2
}

# --------------------------------------------------------------------- tools --
step_tools() {
  HELM=$(tool_bin helm)
  adopt_tool helm >/dev/null 2>&1 || true
  [ -x "$HELM" ] || HELM=$TOOLS_DIR/bin/helm
  [ -x "$HELM" ] || die "no helm: run 'bash test/cluster/cluster.sh build node'"
  log "helm: $("$HELM" version --short 2>/dev/null)"
  if is_local; then
    bash "$HERE/build-tools.sh" gateway-crds
    bash "$HERE/build-tools.sh" traefik
  fi
}
is_local() { [ "$(cat "$STACK_STATE/cluster" 2>/dev/null)" != external ]; }

# -------------------------------------------------------------------- images --
step_images() {
  bash "$HERE/images.sh" build
  bash "$HERE/images.sh" check
  bash "$HERE/images.sh" push "$REGISTRY"
}
image_tag() { sed -n "s/^$1=.*://p" "$ROOT/dist/image/tags.env"; }

# ------------------------------------------------------------------- traefik --
step_traefik() {
  if ! is_local; then log "not the local cluster: Traefik not installed (bring your own ingress)"; return 0; fi
  local bin img ctx crds
  bin=$(bash "$HERE/build-tools.sh" path traefik)
  img=$REGISTRY/kubevod/traefik:$TRAEFIK_VERSION
  if ! "$DOCKER" image inspect "$img" >/dev/null 2>&1; then
    ctx=$(mktemp -d)
    cp "$HERE/traefik/Dockerfile" "$ctx/"
    ln "$bin" "$ctx/traefik" 2>/dev/null || cp "$bin" "$ctx/traefik"
    DOCKER_BUILDKIT=1 "$DOCKER" build --quiet -t "$img" "$ctx" >/dev/null || { rm -rf "$ctx"; die "docker build of $img failed"; }
    rm -rf "$ctx"
  fi
  "$DOCKER" push --quiet "$img" >/dev/null
  crds=$(bash "$HERE/build-tools.sh" path gateway-crds)
  kc apply --server-side --force-conflicts -f "$crds" >/dev/null
  kc wait --for=condition=Established --timeout=60s crd/gateways.gateway.networking.k8s.io crd/httproutes.gateway.networking.k8s.io >/dev/null
  sed -e "s#\${TRAEFIK_IMAGE}#$img#g" -e "s#\${STACK_HTTP_PORT}#$STACK_HTTP_PORT#g" "$HERE/traefik/traefik.yaml" |
    kc apply --server-side --force-conflicts -f - >/dev/null
  kc -n traefik rollout status deploy/traefik --timeout=180s >&2
}

# --------------------------------------------------------------------- chart --
step_chart() {
  # The namespace enforces the restricted Pod Security Standard: every kubevod pod must comply.
  kc create namespace "$NS" --dry-run=client -o yaml | kc apply -f - >/dev/null
  kc label namespace "$NS" --overwrite pod-security.kubernetes.io/enforce=restricted \
    pod-security.kubernetes.io/warn=restricted >/dev/null
  # Helm installs crds/ once and never upgrades it: the stack applies the current CRD itself
  # (Helm's documented limit on CRDs), so a re-run after a contract change gets it too.
  kc apply --server-side --force-conflicts -f "$ROOT/crds/transcodes.media.kubevod.io.yaml" >/dev/null
  kc wait --for=condition=Established --timeout=60s crd/transcodes.media.kubevod.io >/dev/null
  local args=(upgrade --install "$RELEASE" "$ROOT/charts/kubevod" --namespace "$NS" --skip-crds
    --values "$HERE/values-local.yaml"
    --set "image.repository=$REGISTRY/kubevod" --set image.pullPolicy=IfNotPresent
    --set "api.playbackUrl=http://$PLAY_HOST:$STACK_HTTP_PORT"
    --wait --timeout 10m)
  local c
  for c in api controller playback worker minio; do args+=(--set "$c.image.tag=$(image_tag "$c")"); done
  if ! is_local; then args+=(--set ingress.enabled=false); fi
  "$HELM" "${args[@]}" >"$STACK_STATE/helm.log" 2>&1 || {
    tail -20 "$STACK_STATE/helm.log" >&2
    kc -n "$NS" get pods -o wide >&2 || true
    die "helm upgrade --install failed (log $STACK_STATE/helm.log)"
  }
  kc -n "$NS" get deploy,statefulset,svc,ingress >&2
  write_env
}

api_key() {
  kc -n "$NS" get secret "$RELEASE-api-keys" -o jsonpath='{.data.keys}' | base64 -d | head -1
}

# The stack's settings, for shells and tests: `eval "$(bash test/stack/stack.sh env)"`.
write_env() {
  {
    echo "export KUBECONFIG=$KUBECONFIG"
    echo "export KUBEVOD_KUBECTL=$KUBECTL"
    echo "export KUBEVOD_HELM=$HELM"
    echo "export KUBEVOD_NAMESPACE=$NS"
    echo "export KUBEVOD_RELEASE=$RELEASE"
    echo "export KUBEVOD_API_KEY=$(api_key)"
    echo "export KUBEVOD_INGRESS=http://127.0.0.1:$STACK_HTTP_PORT"
    echo "export KUBEVOD_API_HOST=$API_HOST"
    echo "export KUBEVOD_PLAYBACK_HOST=$PLAY_HOST"
    echo "export KUBEVOD_PLAYBACK_URL=http://$PLAY_HOST:$STACK_HTTP_PORT"
  } >"$STACK_STATE/env"
}

# -------------------------------------------------------------------- sample --
SAMPLE=$STACK_STATE/sample-10s.mp4
step_sample() {
  if [ -s "$SAMPLE" ]; then log "reusing $SAMPLE"; return 0; fi
  have ffmpeg || ensure_packages ffmpeg
  # 10 s of moving test pattern with a tone: H.264 + AAC, 1280x720 at 25 fps.
  ffmpeg -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=1280x720:rate=25:duration=10 \
    -f lavfi -i sine=frequency=440:duration=10 -c:v libx264 -preset veryfast -pix_fmt yuv420p \
    -c:a aac -b:a 128k -movflags +faststart "$SAMPLE.tmp.mp4"
  mv "$SAMPLE.tmp.mp4" "$SAMPLE"
  log "$SAMPLE: $(du -h "$SAMPLE" | cut -f1)"
}

# -------------------------------------------------------------------- upload --
PF_PID=""
stop_port_forward() { if [ -n "$PF_PID" ]; then kill "$PF_PID" 2>/dev/null || true; wait "$PF_PID" 2>/dev/null || true; PF_PID=""; fi; }
trap stop_port_forward EXIT

# The CLI reaches the api through a port-forward: Node's resolver does not map *.localhost to
# loopback as browsers do, and a port-forward works the same on any cluster.
api_url() {
  local out=$STACK_STATE/port-forward.log port=""
  kc -n "$NS" port-forward "svc/$RELEASE-api" 0:80 >"$out" 2>&1 &
  PF_PID=$!
  for _ in $(seq 1 50); do
    port=$(sed -n 's/^Forwarding from 127.0.0.1:\([0-9]*\) .*/\1/p' "$out" | head -1)
    [ -n "$port" ] && break
    sleep 0.2
  done
  [ -n "$port" ] || { cat "$out" >&2; die "kubectl port-forward to svc/$RELEASE-api did not start"; }
  echo "http://127.0.0.1:$port"
}

VIDEO_ID=""
step_upload() {
  local url before
  url=$(api_url)
  before=$(kc -n "$NS" get tc -o name 2>/dev/null | sort)
  (
    cd "$ROOT"
    KUBEVOD_API_URL=$url KUBEVOD_API_KEY=$(api_key) KUBEVOD_PLAYBACK_URL="http://$PLAY_HOST:$STACK_HTTP_PORT" \
      npm run -s kubevod -- upload "$SAMPLE" --timeout 900
  ) || die "the sample upload or its transcode failed (kubectl -n $NS get tc; kubectl -n $NS logs deploy/$RELEASE-controller)"
  stop_port_forward
  VIDEO_ID=$(comm -13 <(echo "$before") <(kc -n "$NS" get tc -o name | sort) | head -1 | sed 's#.*/##')
  [ -n "$VIDEO_ID" ] || die "no new Transcode after the upload"
  kc -n "$NS" get tc "$VIDEO_ID" >&2
  [ "$(kc -n "$NS" get tc "$VIDEO_ID" -o jsonpath='{.status.phase}')" = Succeeded ] || die "Transcode $VIDEO_ID is not Succeeded"
}

# -------------------------------------------------------------------- verify --
step_verify() {
  local code
  if ! is_local; then log "not the local cluster: the ingress check is yours"; return 0; fi
  # The player's way in: Traefik -> playback, by host name, as a browser would ask.
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Host: $PLAY_HOST" -A 'Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0' \
    "http://127.0.0.1:$STACK_HTTP_PORT/v1/play/$VIDEO_ID")
  case $code in 200|302) log "playback answered $code for $VIDEO_ID through Traefik" ;; *) die "playback answered $code for /v1/play/$VIDEO_ID through Traefik" ;; esac
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Host: $PLAY_HOST" "http://127.0.0.1:$STACK_HTTP_PORT/watch/$VIDEO_ID")
  [ "$code" = 200 ] || die "the player page answered $code"
}

summary() {
  printf '\n\033[1mkubevod stack is up\033[0m in %ss\n' $((SECONDS - _t_start))
  printf '  %s\n' "${TIMINGS[@]}"
  echo "$(date -Is) up $((SECONDS - _t_start))s: ${TIMINGS[*]}" >>"$STACK_STATE/timings.log"
  cat <<EOF

  eval "\$(bash test/stack/stack.sh env)"     # KUBECONFIG, KUBEVOD_API_KEY, ...
  kubectl -n $NS get tc                      # the Transcodes
EOF
  if [ -n "$VIDEO_ID" ]; then
    cat <<EOF

  sample video:  $VIDEO_ID
  playback URL:  http://$PLAY_HOST:$STACK_HTTP_PORT/v1/play/$VIDEO_ID
  player page:   http://$PLAY_HOST:$STACK_HTTP_PORT/watch/$VIDEO_ID
  (*.localhost names resolve to this machine in browsers; from a shell:
   curl -H 'Host: $PLAY_HOST' http://127.0.0.1:$STACK_HTTP_PORT/v1/play/$VIDEO_ID)
EOF
  fi
}

up() {
  [ "${STACK_SAMPLE:-1}" = 0 ] && STEPS_TOTAL=5
  step "cluster" step_cluster
  step "tools (helm, Traefik, Gateway API)" step_tools
  step "images (build, check, push)" step_images
  step "Traefik ingress controller" step_traefik
  step "kubevod chart (helm upgrade --install)" step_chart
  if [ "${STACK_SAMPLE:-1}" != 0 ]; then
    step "sample video" step_sample
    step "upload + transcode (kubevod CLI)" step_upload
    step "playback through Traefik" step_verify
  fi
  summary
}

down() {
  local t0=$SECONDS mode
  mode=$(cat "$STACK_STATE/cluster" 2>/dev/null || echo none)
  if [ "$mode" = none ]; then log "no stack recorded in $STACK_STATE"; fi
  if [ "$mode" != external ]; then
    local local_kc
    local_kc=$(bash "$ROOT/test/cluster/cluster.sh" env node 2>/dev/null | sed -n 's/^export KUBECONFIG=//p')
    export KUBECONFIG=$local_kc
  fi
  KUBECTL=$(kubectl_bin)
  HELM=$(tool_bin helm); [ -x "$HELM" ] || HELM=$TOOLS_DIR/bin/helm
  if cluster_answers; then
    # Transcodes first, while the controller still runs: their finalizer cleans up storage, and
    # without a controller it would hold the namespace in Terminating for good.
    if kc get crd transcodes.media.kubevod.io >/dev/null 2>&1 && kc get namespace "$NS" >/dev/null 2>&1; then
      log "deleting the Transcodes in $NS"
      kc -n "$NS" delete transcodes --all --wait --timeout=180s >&2 || log "some Transcodes were not deleted in time"
    fi
    log "uninstalling $RELEASE from $NS"
    "$HELM" uninstall "$RELEASE" --namespace "$NS" --wait --timeout 3m >&2 2>/dev/null || log "release $RELEASE not installed"
    kc delete namespace "$NS" --ignore-not-found --wait=false >/dev/null
    if [ "$mode" != external ]; then kc delete namespace traefik --ignore-not-found --wait=false >/dev/null; fi
  fi
  if [ "$mode" = local-started ] || { [ "$mode" != external ] && [ "${STACK_DOWN_CLUSTER:-0}" = 1 ]; }; then
    bash "$ROOT/test/cluster/cluster.sh" down all
  elif [ "$mode" = local-preexisting ]; then
    log "the local cluster was running before 'stack up': left running (STACK_DOWN_CLUSTER=1 stops it)"
  fi
  rm -f "$STACK_STATE/cluster" "$STACK_STATE/env"
  log "stack down in $((SECONDS - t0))s"
}

case ${1:-} in
  up) up ;;
  down) down ;;
  env) [ -s "$STACK_STATE/env" ] || die "no stack is up (npm run stack)"; cat "$STACK_STATE/env" ;;
  *) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
