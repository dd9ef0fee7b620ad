#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Stop what up.sh started -- exactly the pids recorded in $STATE/pids (verified by
# executable path), never by name -- then clean up: containerd tasks, mounts under
# $STATE and the pod network namespaces, the CNI bridge, the guard link and its routes,
# the iptables chains created since up.sh first ran (KUBE-*, CNI-*, KUBEVOD-*), kubepods
# cgroups, and the kernel settings saved by up.sh; kwok and its fake nodes (kwok.sh down) go with the
# control plane. Run through `cluster.sh down [all]` (`down kwok` is kwok.sh alone).
#
# Env: FAST=1   skip the graceful pod deletion (kills containers through containerd instead)
#      PURGE=1  also delete $STATE (etcd data, PKI, containerd images/snapshots); $CACHE is kept
#      NODE_ONLY=1  stop only the node part (registry, containerd, kubelet, kube-proxy, CoreDNS), remove the
#                   Node object and the node's network setup; the control plane keeps running (`cluster.sh down node`)
#      DOWN_DOCKER=1  also remove docker containers labelled kubevod.test and stop the dockerd
#                     that images.sh started (`cluster.sh down all`)
set -euo pipefail
SCRIPT_NAME=down
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

require_root
[ -d "$STATE" ] || { log "no state dir $STATE: nothing to do"; exit 0; }
resolve_bin_dir

# ------------------------------------------------------------ graceful drain --
api_ok() { curl -fsS --max-time 3 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "https://127.0.0.1:$API_PORT/readyz" 2>/dev/null | grep -qx ok; }
no_running_tasks() { [ -z "$(ctr_ -n k8s.io tasks ls -q 2>/dev/null)" ]; }
NODE_ONLY=${NODE_ONLY:-}
if [ "${FAST:-}" != 1 ] && [ "$NODE_ONLY" != 1 ] && daemon_alive kubelet && daemon_alive kube-apiserver && api_ok; then
  step_begin "graceful pod deletion (controllers stopped first so nothing is recreated)"
  stop_daemon kube-controller-manager
  stop_daemon kube-scheduler
  kc delete pods --all --all-namespaces --grace-period=5 --timeout=90s >&2 || log "pod deletion incomplete"
  daemon_alive containerd && { wait_for "containerd tasks gone" 60 no_running_tasks || true; }
  step_end
fi

# --------------------------------------------- remember pod netns, stop daemons --
if daemon_alive containerd; then
  for id in $(ctr_ -n k8s.io containers ls -q 2>/dev/null); do
    ctr_ -n k8s.io containers info "$id" 2>/dev/null | grep -o '/var/run/netns/cni-[0-9a-f-]*' || true
  done | sort -u >>"$STATE/netns.list"
fi

# kwok (an add-on of the control plane): its fake nodes go with the control plane, not with the node
if [ "$NODE_ONLY" != 1 ] && { daemon_alive kwok || [ -e "$PIDS/kwok.pid" ]; }; then
  bash "$HERE/kwok.sh" down || log "kwok down failed"
fi

step_begin "stop daemons"
# in dependency order; the daemons of one group stop in parallel
stop_daemons 30 coredns kube-proxy kubelet
if [ "$NODE_ONLY" = 1 ]; then
  stop_daemons 30 registry
else
  stop_daemons 30 kube-scheduler kube-controller-manager registry
  stop_daemons 30 kube-apiserver
  stop_daemons 30 etcd
fi
if daemon_alive containerd; then
  for id in $(ctr_ -n k8s.io tasks ls -q 2>/dev/null); do
    log "killing leftover task $id"
    ctr_ -n k8s.io tasks kill -a -s SIGKILL "$id" >/dev/null 2>&1 || true
  done
  for id in $(ctr_ -n k8s.io tasks ls -q 2>/dev/null); do
    ctr_ -n k8s.io tasks delete -f "$id" >/dev/null 2>&1 || true
  done
fi
stop_daemon containerd 30
step_end

# ------------------------------------------------------------------- mounts --
step_begin "unmount"
[ -f "$STATE/netns.list" ] && sort -u "$STATE/netns.list" | while read -r ns; do
  if [ -n "$ns" ] && [ -e "$ns" ]; then
    if mountpoint -q "$ns"; then umount "$ns" 2>/dev/null || umount -l "$ns" 2>/dev/null || true; fi
    rm -f "$ns" && log "removed netns $ns"
  fi
done || true
rm -f "$STATE/netns.list"
# deepest first; findmnt -r escapes blanks, which $STATE paths do not contain
n=0
while read -r m; do
  umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
  n=$((n + 1))
done < <(findmnt -rn -o TARGET | awk -v p="$STATE/" 'index($0, p) == 1' | sort -r)
log "unmounted $n mount(s) under $STATE"
step_end

# ------------------------------------------------------------------ network --
step_begin "network cleanup"
if [ -x "$BIN_DIR/kube-proxy" ] && [ -s "$STATE/iptables.before" ]; then
  "$BIN_DIR/kube-proxy" --cleanup --v=0 >>"$LOGS/kube-proxy-cleanup.log" 2>&1 || log "kube-proxy --cleanup failed (see $LOGS/kube-proxy-cleanup.log)"
fi
# our FORWARD chain
iptables -w -D FORWARD -j "$FWD_CHAIN" 2>/dev/null || true
iptables -w -F "$FWD_CHAIN" 2>/dev/null || true
iptables -w -X "$FWD_CHAIN" 2>/dev/null || true
# chains that appeared since up.sh first ran and carry our prefixes (bridge ipMasq CNI-*, portmap CNI-HOSTPORT-*,
# kube-proxy/kubelet KUBE-*), for IPv4 and IPv6
delete_chain() { # FAMILY TABLE CHAIN
  local fam=$1 t=$2 c=$3 rule
  while read -r rule; do
    [ -n "$rule" ] || continue
    eval "$fam -w -t $t -D ${rule#-A }" 2>/dev/null || true
  done < <("$fam-save" -t "$t" | grep -E -- "-j $c( |\$)" || true)
  "$fam" -w -t "$t" -F "$c" 2>/dev/null || true
  "$fam" -w -t "$t" -X "$c" 2>/dev/null && log "removed $fam $t/$c"
}
for fam in iptables ip6tables; do
  [ -s "$STATE/$fam.before" ] || continue
  for pass in 1 2; do  # delete_chain drops the jumps into a chain first; a second pass catches stragglers
    for t in filter nat mangle raw; do
      for c in $("$fam-save" -t "$t" 2>/dev/null | sed -n 's/^:\([^ ]*\) .*/\1/p' | grep -E '^(KUBE-|CNI-|KUBEVOD-)' || true); do
        grep -qxF "$t $c" "$STATE/$fam.before" && continue
        delete_chain "$fam" "$t" "$c"
      done
    done
    [ "$pass" = 1 ] || break
  done
done
ip link show "$CNI_BRIDGE" >/dev/null 2>&1 && ip link del "$CNI_BRIDGE" && log "removed bridge $CNI_BRIDGE"
if [ "$NODE_ONLY" != 1 ]; then
  ip link show "$GUARD_IF" >/dev/null 2>&1 && ip link del "$GUARD_IF" && log "removed guard link $GUARD_IF (and its routes)"
fi
rm -rf "$CNI_IPAM_DIR"
rm -f /var/lib/cni/results/"$CNI_NET_NAME"-* 2>/dev/null || true
if [ -f "$STATE/var-lib-cni.created" ]; then rm -rf /var/lib/cni && rm -f "$STATE/var-lib-cni.created" && log "removed /var/lib/cni (go-cni result cache)"; fi
if [ -f "$STATE/run-containerd.created" ] && ! daemon_alive containerd && [ -z "$(ls -A /run/containerd/s 2>/dev/null)" ]; then
  rm -rf /run/containerd && rm -f "$STATE/run-containerd.created" && log "removed /run/containerd (shim/fifo/runc dirs)"
fi
step_end

# ---------------------------------------------------------- cgroups, sysctl --
step_begin "cgroups and kernel settings"
for sub in /sys/fs/cgroup/*/; do
  [ -d "${sub}kubepods" ] || continue
  find "${sub}kubepods" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  [ -d "${sub}kubepods" ] && log "could not remove ${sub}kubepods (still in use?)"
done
if [ -s "$STATE/sysctl.orig" ]; then
  while IFS='=' read -r k v; do
    if [ -n "$k" ]; then sysctl -qw "$k=$v" 2>/dev/null || log "could not restore $k=$v"; fi
  done <"$STATE/sysctl.orig"
  log "restored $(wc -l <"$STATE/sysctl.orig") kernel settings from $STATE/sysctl.orig"
  rm -f "$STATE/sysctl.orig"
fi
if [ -f "$STATE/var-lib-kubelet.created" ]; then
  rm -rf /var/lib/kubelet && rm -f "$STATE/var-lib-kubelet.created" && log "removed /var/lib/kubelet (created by the kubelet's fixed device-plugin path)"
fi
step_end

if [ "${DOWN_DOCKER:-}" = 1 ]; then
  step_begin "docker: kubevod test containers, dockerd"
  if docker info >/dev/null 2>&1; then
    ids=$(docker ps -aq --filter label=kubevod.test)
    if [ -n "$ids" ]; then
      # shellcheck disable=SC2086
      docker rm -f $ids >/dev/null && log "removed docker containers: $(echo $ids)"
    fi
  fi
  stop_daemon dockerd 30
  step_end
fi
if [ "$NODE_ONLY" = 1 ]; then
  rm -f "$STATE/iptables.before" "$STATE/ip6tables.before"
  if api_ready; then
    node_facts
    kc delete node "$NODE_NAME" --ignore-not-found --wait=false >&2 && log "deleted Node $NODE_NAME (its pods are garbage-collected)"
  fi
  echo controlplane >"$STATE/tier"
else
  rm -f "$STATE/tier"
fi

if [ "${PURGE:-}" = 1 ]; then
  step_begin "purge $STATE"
  if findmnt -rn -o TARGET | awk -v p="$STATE/" 'index($0, p) == 1' | grep -q .; then die "mounts remain under $STATE; not purging"; fi
  rm -rf "$STATE"
  step_end
fi
log "down in $(( $(date +%s) - _RUN_T0 ))s"
