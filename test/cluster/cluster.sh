#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# kubevod local cluster: one entry point for the test infrastructure. See test/README.md.
#
#   cluster.sh build  controlplane|node|kwok    build the binaries the tier needs (Go module proxy), cached by version
#   cluster.sh up     controlplane|node|kwok    start the tier (idempotent; installs missing Debian packages)
#   cluster.sh down   [controlplane|node|kwok|all]  controlplane (default): stop every recorded daemon and clean up;
#                                          node: stop only the node part, the control plane keeps running;
#                                          kwok: delete the fake nodes and stop kwok, nothing else;
#                                          all: also remove kubevod test containers, stop the dockerd images.sh started
#   cluster.sh status [controlplane|node|kwok]  what runs; exit 0 only if the tier is up and the apiserver ready
#   cluster.sh env    [controlplane|node|kwok]  print `export KUBECONFIG=...` (eval "$(cluster.sh env controlplane)")
#   cluster.sh fake-nodes                  (re)create kwok's fake nodes (GENERAL_NODES=3, HIGH_CPU_NODES=5)
#   cluster.sh push-image debian           tag kubevod/debian:bookworm into the local registry (node tier), print its name
#   cluster.sh packages                    Debian packages the test tiers need (ffmpeg, chromium, docker)
#   cluster.sh smoke                       node-tier smoke test (a Job with a locally built image, DNS, registry)
#   cluster.sh images dockerd|debian|minio container images without a registry (images.sh)
#
# Tiers:
#   controlplane  etcd + kube-apiserver + kube-controller-manager + kube-scheduler (what integration tests use)
#   node          controlplane + local registry (127.0.0.1:5000) + containerd + kubelet + kube-proxy + CoreDNS
#   kwok          controlplane + kwok managing fake nodes (3 general, 5 high-cpu); an add-on: `up kwok`
#                 on a running node tier keeps the real node, `down node` / `down kwok` leave each other alone
#
# Env: KUBEVOD_CACHE (default ~/.cache/kubevod), KUBEVOD_STATE (default ~/.local/state/kubevod),
#      PURGE=1 with down (also wipe the state dir), FAST=1 with down (no graceful pod deletion).
set -euo pipefail
SCRIPT_NAME=cluster
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

usage() { sed -n '3,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

cmd=${1:-}; [ -n "$cmd" ] || usage
shift
tier=${1:-}
check_tier() {
  case $tier in
    controlplane|node|kwok) ;;
    "") die "$cmd needs a tier: controlplane, node or kwok" ;;
    *) die "unknown tier '$tier' (controlplane|node|kwok)" ;;
  esac
}

# Serialise up/down (two jest runs may call up at once): lock file next to the state dir.
with_lock() {
  local lock=$1; shift
  mkdir -p "$(dirname "$lock")"
  exec 9>"$lock"
  if ! flock -w "${KUBEVOD_LOCK_TIMEOUT:-900}" 9; then die "another cluster.sh holds $lock"; fi
  "$@"
}

tier_up() { # TIER: daemons alive and apiserver ready (and the node Ready for the node tier)
  local d
  for d in $CONTROLPLANE_DAEMONS; do daemon_alive "$d" || return 1; done
  api_ready || return 1
  if [ "$1" = node ]; then
    for d in registry containerd kubelet kube-proxy; do daemon_alive "$d" || return 1; done
    node_facts
    [ "$(kc get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ] || return 1
  fi
  if [ "$1" = kwok ]; then daemon_alive kwok && apiserver_serves_watches_for_kwok || return 1; fi
}

case $cmd in
  build)
    check_tier
    case $tier in
      controlplane) bins="kube-apiserver kube-controller-manager kube-scheduler kubectl"; tools="minio helm" ;;  # helm: the chart tests
      node) bins="kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet kube-proxy"; tools="minio coredns registry helm" ;;
      kwok) bins="kube-apiserver kube-controller-manager kube-scheduler kubectl"; tools="minio kwok" ;;
    esac
    mkdir -p "$CACHE"
    with_lock "$CACHE/.build.lock" env K8S_BINARIES="$bins" TOOLS="$tools" bash "$HERE/build.sh"
    ;;
  up)
    check_tier
    if [ "$tier" = kwok ]; then
      # the control plane (kept as is when it, or the node tier, runs), then kwok and its fake nodes
      with_lock "$STATE.lock" sh -c 'env KUBEVOD_TIER=controlplane bash "$1/up.sh" && bash "$1/kwok.sh" up' sh "$HERE"
    else
      with_lock "$STATE.lock" env KUBEVOD_TIER="$tier" bash "$HERE/up.sh"
    fi
    ;;
  down)
    case $tier in
      ""|controlplane) with_lock "$STATE.lock" bash "$HERE/down.sh" ;;
      node) with_lock "$STATE.lock" env NODE_ONLY=1 bash "$HERE/down.sh" ;;
      kwok) with_lock "$STATE.lock" bash "$HERE/kwok.sh" down ;;
      all) with_lock "$STATE.lock" env DOWN_DOCKER=1 bash "$HERE/down.sh" ;;
      *) die "unknown argument '$tier' (controlplane|node|kwok|all)" ;;
    esac
    ;;
  status)
    tier=${tier:-$(cat "$STATE/tier" 2>/dev/null || echo controlplane)}
    check_tier
    for d in $CONTROLPLANE_DAEMONS $NODE_DAEMONS kwok dockerd; do
      if daemon_alive "$d"; then printf '%-24s running (pid %s)\n' "$d" "$(cat "$PIDS/$d.pid")"
      elif [ -e "$PIDS/$d.pid" ]; then printf '%-24s DEAD (stale pid file)\n' "$d"
      fi
    done
    printf '%-24s %s\n' "recorded tier" "$(cat "$STATE/tier" 2>/dev/null || echo none)"
    printf '%-24s %s\n' "kubeconfig" "$ADMIN_KUBECONFIG"
    if [ -s "$PKI/admin.crt" ] && api_ready; then printf '%-24s ready\n' "apiserver /readyz"; else printf '%-24s NOT ready\n' "apiserver /readyz"; fi
    if [ "$tier" = kwok ] && ! apiserver_serves_watches_for_kwok; then printf '%-24s %s\n' "kube-apiserver" "lacks --feature-gates=WatchList=false, which kwok needs with this etcd: restart the control plane"; fi
    if tier_up "$tier"; then echo "tier $tier: up"; else echo "tier $tier: DOWN"; exit 1; fi
    ;;
  env)
    tier=${tier:-controlplane}
    check_tier
    resolve_bin_dir
    [ -s "$ADMIN_KUBECONFIG" ] || log "warning: $ADMIN_KUBECONFIG does not exist yet: run 'bash test/cluster/cluster.sh up $tier'"
    echo "export KUBECONFIG=$ADMIN_KUBECONFIG"
    echo "export KUBEVOD_KUBECTL=$BIN_DIR/kubectl"
    if [ "$tier" = node ]; then echo "export KUBEVOD_REGISTRY=$LOCAL_REGISTRY"; fi
    ;;
  smoke)
    bash "$HERE/smoke.sh"
    ;;
  fake-nodes)
    bash "$HERE/kwok.sh" nodes
    ;;
  push-image)
    bash "$HERE/images.sh" push "$@"
    ;;
  packages)
    # What the test tiers use beside the cluster: ffmpeg (worker), chromium (players), docker (MinIO, images).
    ensure_packages ffmpeg chromium wrk $PKGS_IMAGES
    ;;
  images)
    bash "$HERE/images.sh" "$@"
    ;;
  -h|--help|help) usage ;;
  *) log "unknown command '$cmd'"; usage ;;
esac
