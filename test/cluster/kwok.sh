#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# kwok beside the control plane: fake nodes for placement and scale tests (no containers run).
# Normally run through cluster.sh (`build kwok`, `up kwok`, `down kwok`, `fake-nodes`).
#
#   kwok.sh stages   write the Stage file from the kwok module (build time; needs Go and the module proxy)
#   kwok.sh up       start kwok (control plane must be up), then create the fake nodes
#   kwok.sh nodes    (re)create the fake nodes: GENERAL_NODES (3) "general", HIGH_CPU_NODES (5) "high-cpu"
#   kwok.sh down     delete the fake nodes (when the apiserver answers), stop kwok
#
# What kwok does here: it manages only nodes annotated kwok.x-k8s.io/node=fake
# (--manage-nodes-with-annotation-selector), keeps them Ready through node leases, and moves pods
# bound to them through the pod/general stages: Running + Ready, and -- for pods owned by a Job --
# Succeeded after the delay in the annotation pod-complete.stage.kwok.x-k8s.io/delay (default 1 s
# + up to 5 s jitter; "1h" keeps a pod Running). Nothing is executed: images are never pulled.
#
# Every fake node carries the taint kwok.x-k8s.io/node=fake:NoSchedule (as upstream's examples do),
# so pods of other tests sharing the control plane never land on a fake node by accident; a pod
# that should run on one tolerates that taint. High-cpu nodes also carry kubevod.io/pool=high-cpu
# as a label and a NoSchedule taint.
set -euo pipefail
SCRIPT_NAME=kwok
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

GENERAL_NODES=${GENERAL_NODES:-3}
HIGH_CPU_NODES=${HIGH_CPU_NODES:-5}
# Fake pod IPs inside the cluster range but outside the real node's /24: the guard route keeps
# any packet to them on this machine.
KWOK_POD_CIDR=${KWOK_POD_CIDR:-10.244.128.0/17}
KWOK_NODE_IP=${KWOK_NODE_IP:-10.244.127.254}
KWOK_STAGES=$(tool_dir kwok)/stages.yaml
FAKE_LABEL=kubevod.io/fake-node

# The module's stages (kwokctl's choice for a cluster with node leases): node/fast (Ready at once),
# node/heartbeat-with-lease (status refresh), pod/general (create, init, ready, complete, delete).
write_stages() {
  have go || die "go not found: needed once to read kwok's stages from its module"
  local dir f scratch=$CACHE/src/scratch
  mkdir -p "$scratch"
  [ -f "$scratch/go.mod" ] || printf 'module example.invalid/scratch\n\ngo 1.24.0\n' >"$scratch/go.mod"
  dir=$(cd "$scratch" && GOTOOLCHAIN=local go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
  [ -d "$dir/kustomize/stage" ] || die "go mod download sigs.k8s.io/kwok@$KWOK_VERSION gave no stage dir ($dir)"
  {
    for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
      $(sed -n 's/^- \(.*\.yaml\)$/pod\/general\/\1/p' "$dir/kustomize/stage/pod/general/kustomization.yaml"); do
      [ -s "$dir/kustomize/stage/$f" ] || die "stage $f missing in $dir"
      echo "---"; echo "# from sigs.k8s.io/kwok@$KWOK_VERSION kustomize/stage/$f"; cat "$dir/kustomize/stage/$f"
    done
  } >"$KWOK_STAGES.tmp"
  mv "$KWOK_STAGES.tmp" "$KWOK_STAGES"
  log "stages: $(grep -c '^kind: Stage' "$KWOK_STAGES") in $KWOK_STAGES"
}

# fake_node NAME POOL CPU MEMORY EXTRA_TAINT_LINES
fake_node() {
  cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: $1
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    type: kwok
    $FAKE_LABEL: "true"
    kubevod.io/pool: $2
    kubernetes.io/hostname: $1
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
spec:
  taints:
  - {key: kwok.x-k8s.io/node, value: fake, effect: NoSchedule}
$5
status:
  allocatable: {cpu: "$3", memory: $4, ephemeral-storage: 200Gi, pods: "110"}
  capacity: {cpu: "$3", memory: $4, ephemeral-storage: 200Gi, pods: "110"}
  nodeInfo:
    architecture: amd64
    operatingSystem: linux
    kubeletVersion: fake
    kubeProxyVersion: fake
    containerRuntimeVersion: fake
EOF
}

nodes_ready() { # N: at least N fake nodes Ready
  local n
  n=$(kc get nodes -l "$FAKE_LABEL=true" -o 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -cx True || true)
  [ "$n" -ge "$1" ]
}

capacity() { # CPU MEMORY -> JSON (fake nodes: 200Gi of ephemeral storage, so worker Jobs' scratch requests fit)
  printf '{"cpu":"%s","memory":"%s","ephemeral-storage":"200Gi","pods":"110"}' "$1" "$2"
}

create_nodes() {
  local i total=$((GENERAL_NODES + HIGH_CPU_NODES))
  step_begin "fake nodes: $GENERAL_NODES general, $HIGH_CPU_NODES high-cpu"
  {
    for i in $(seq 0 $((GENERAL_NODES - 1))); do fake_node "kwok-general-$i" general 8 32Gi ""; done
    for i in $(seq 0 $((HIGH_CPU_NODES - 1))); do
      fake_node "kwok-high-cpu-$i" high-cpu 16 64Gi "  - {key: kubevod.io/pool, value: high-cpu, effect: NoSchedule}"
    done
  } | kc apply -f - >&2
  # apply leaves an existing node's status alone (a subresource): set the capacity explicitly so a
  # change here reaches nodes created by an earlier version of this script.
  local n cpu mem
  for n in $(kc get nodes -l "$FAKE_LABEL=true" -o name); do
    case $n in *high-cpu*) cpu=16 mem=64Gi ;; *) cpu=8 mem=32Gi ;; esac
    kc patch "$n" --subresource=status --type=merge -p "{\"status\":{\"capacity\":$(capacity "$cpu" "$mem"),\"allocatable\":$(capacity "$cpu" "$mem")}}" >/dev/null
  done
  wait_for "$total fake nodes Ready" 60 nodes_ready "$total" || { kc get nodes -o wide >&2; tail -30 "$LOGS/kwok.log" >&2; die "fake nodes not Ready"; }
  step_end
}

delete_nodes() {
  api_ready || return 0
  kc delete nodes -l "$FAKE_LABEL=true" --ignore-not-found --wait=false >&2 && log "deleted the fake nodes (their pods are garbage-collected)"
}

start_kwok() {
  local bin
  bin=$(tool_bin kwok)
  adopt_tool kwok || true
  [ -x "$bin" ] || die "$bin is missing: run 'bash test/cluster/cluster.sh build kwok' (go install, ~3 min cold)"
  [ -s "$KWOK_STAGES" ] || write_stages
  api_ready || die "the control plane is not up: run 'bash test/cluster/cluster.sh up controlplane'"
  apiserver_serves_watches_for_kwok || die "the running kube-apiserver lacks --feature-gates=WatchList=false, which kwok needs with this etcd (see up.sh): restart the control plane: bash test/cluster/cluster.sh down && bash test/cluster/cluster.sh up kwok (or up node, then up kwok)"
  step_begin "kwok $KWOK_VERSION"
  # --config: only our stages (never ~/.kwok/kwok.yaml); the admin kubeconfig (kwok writes node,
  # pod and lease status, and reads stages as config).
  # kwok.log shows "watch ended with error ... RequestWatchProgress is disabled" every few seconds:
  # the apiserver refuses kwok's streaming watches on Debian's etcd 3.4, kwok relists instead, so
  # pods move through the stages some seconds later than the stage delays say (README).
  start_daemon kwok "$bin" --kubeconfig="$ADMIN_KUBECONFIG" --config="$KWOK_STAGES" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-lease-duration-seconds=40 --cidr="$KWOK_POD_CIDR" --node-ip="$KWOK_NODE_IP"
  sleep 1
  daemon_alive kwok || { tail -30 "$LOGS/kwok.log" >&2; die "kwok exited (log $LOGS/kwok.log)"; }
  step_end
}

case ${1:-} in
  stages) write_stages ;;
  up) require_root; mkdir -p "$STATE" "$LOGS" "$PIDS"; start_kwok; create_nodes ;;
  nodes) create_nodes ;;
  down) require_root; delete_nodes; stop_daemon kwok ;;
  *) die "usage: kwok.sh stages|up|nodes|down" ;;
esac
