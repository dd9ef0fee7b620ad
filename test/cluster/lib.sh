# shellcheck shell=bash disable=SC2034
# (SC2034: the settings below are used by the scripts that source this file)
# Shared settings and helpers for build.sh / up.sh / down.sh / smoke.sh.
# Sourced, never run. Every setting can be overridden from the environment.

# ---------------------------------------------------------------- settings --
# Pinned versions (K8S_VERSION, MINIO_VERSION, ...): the environment wins over the file.
_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
while IFS='=' read -r _k _v; do
  case $_k in ''|\#*) continue ;; esac
  [ -n "${!_k:-}" ] || printf -v "$_k" '%s' "$_v"
done <"$_LIB_DIR/versions.env"
unset _k _v

CACHE=${KUBEVOD_CACHE:-$HOME/.cache/kubevod}        # build outputs, tools, image archives (kept across clusters)
STATE=${KUBEVOD_STATE:-$HOME/.local/state/kubevod}  # pki, data dirs, logs, pids (one cluster)
TOOLS_DIR=$CACHE/tools                              # one dir per tool and version: $TOOLS_DIR/<name>-<version>/<name>
IMAGES_DIR=${IMAGES_DIR:-$CACHE/images}             # OCI archives built here

SERVICE_CIDR=${SERVICE_CIDR:-10.96.0.0/16}
API_SERVICE_IP=${API_SERVICE_IP:-10.96.0.1}       # first IP of SERVICE_CIDR
DNS_SERVICE_IP=${DNS_SERVICE_IP:-10.96.0.10}
CLUSTER_CIDR=${CLUSTER_CIDR:-10.244.0.0/16}
POD_CIDR=${POD_CIDR:-10.244.0.0/24}               # what node IPAM gives the first node
POD_GATEWAY=${POD_GATEWAY:-10.244.0.1}
CLUSTER_DOMAIN=${CLUSTER_DOMAIN:-cluster.local}
API_PORT=${API_PORT:-6443}
ETCD_PORT=${ETCD_PORT:-2379}
ETCD_PEER_PORT=${ETCD_PEER_PORT:-2380}
KCM_PORT=${KCM_PORT:-10257}                       # kube-controller-manager's secure port
SCHEDULER_PORT=${SCHEDULER_PORT:-10259}
REGISTRY_ADDR=${REGISTRY_ADDR:-127.0.0.1:5000}    # local image registry (node tier), loopback only

CNI_NET_NAME=${CNI_NET_NAME:-kubevod}
CNI_BRIDGE=${CNI_BRIDGE:-kvcni0}                  # <= 15 chars
GUARD_IF=${GUARD_IF:-kvguard0}                    # port-less bridge (dummy links are refused here) that swallows stray service/pod-range packets
FWD_CHAIN=${FWD_CHAIN:-KUBEVOD-FWD}               # our filter/FORWARD accept chain
CNI_BIN_DIR=${CNI_BIN_DIR:-/usr/lib/cni}          # Debian containernetworking-plugins

PAUSE_IMAGE=${PAUSE_IMAGE:-docker.io/kubevod/pause:1}
BUSYBOX_IMAGE=${BUSYBOX_IMAGE:-docker.io/kubevod/busybox:1}
DEBIAN_IMAGE=${DEBIAN_IMAGE:-docker.io/kubevod/debian:bookworm}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-}                  # empty = the first non-security URI in the apt sources
COREDNS_MODE=${COREDNS_MODE:-pod}                 # pod | host | none
COREDNS_FORWARD=${COREDNS_FORWARD:-}              # e.g. "/etc/resolv.conf" to forward non-cluster names; empty = no upstream

KUBE_LOG_LEVEL=${KUBE_LOG_LEVEL:-2}

# Derived paths (do not override individually unless you know why).
PKI=$STATE/pki
KCFG=$STATE/kubeconfigs
LOGS=$STATE/logs
PIDS=$STATE/pids
CONF=$STATE/conf
CONTAINERD_DIR=$STATE/containerd
CONTAINERD_SOCK=${CONTAINERD_SOCK:-$CONTAINERD_DIR/containerd.sock}
LOCAL_REGISTRY=${LOCAL_REGISTRY:-localhost:${REGISTRY_ADDR##*:}}  # the name images use for the local registry
CNI_CONF_DIR=$STATE/cni/net.d
CNI_IPAM_DIR=$STATE/cni/ipam
KUBELET_ROOT=$STATE/kubelet
ADMIN_KUBECONFIG=$STATE/kubeconfig

# ----------------------------------------------------------------- helpers --
log()  { printf '%s [%s] %s\n' "$(date +%H:%M:%S)" "kubevod:${SCRIPT_NAME:-cluster}" "$*" >&2; }
die()  { log "ERROR: $*"; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

require_root() { [ "$(id -u)" = 0 ] || die "must run as root (it starts etcd/apiserver/containerd/kubelet and edits routes); on CI run the job as root"; }

# Timed steps: step_begin NAME ... step_end
_STEP_NAME=""; _STEP_T0=0; _RUN_T0=$(date +%s)
step_begin() { _STEP_NAME=$1; _STEP_T0=$(date +%s); log "==> $1"; }
step_end()   { log "<== $_STEP_NAME done in $(( $(date +%s) - _STEP_T0 ))s (total $(( $(date +%s) - _RUN_T0 ))s)"; }

# Resolve the Kubernetes version/bin dir: explicit K8S_VERSION, else newest $CACHE/k8s-v*/bin.
resolve_bin_dir() {
  if [ -n "${BIN_DIR:-}" ]; then return 0; fi
  if [ -z "$K8S_VERSION" ]; then
    local d
    d=$(find "$CACHE" -maxdepth 1 -type d -name 'k8s-v*' 2>/dev/null | sort -V | tail -1 || true)
    [ -n "$d" ] && K8S_VERSION=${d##*/k8s-}
  fi
  BIN_DIR=$CACHE/k8s-${K8S_VERSION:-none}/bin
}

# k8s_bin NAME: path of a Kubernetes binary, or a clear error naming it and the command that builds it.
k8s_bin() {
  resolve_bin_dir
  [ -x "$BIN_DIR/$1" ] || die "$BIN_DIR/$1 is missing: run 'bash test/cluster/cluster.sh build ${KUBEVOD_TIER:-controlplane}' (cold: ~20 min for the control plane on 2 cores)"
  echo "$BIN_DIR/$1"
}

# tool_dir NAME -> $TOOLS_DIR/NAME-VERSION (VERSION from versions.env: MINIO_VERSION, COREDNS_VERSION, ...)
tool_dir() {
  local var
  var=$(printf '%s_VERSION' "$1" | tr '[:lower:]-' '[:upper:]_')
  [ -n "${!var:-}" ] || die "no $var pinned in versions.env"
  echo "$TOOLS_DIR/$1-${!var}"
}
tool_bin() { echo "$(tool_dir "$1")/$1"; }

# adopt_tool NAME: a binary from the first build layout ($CACHE/tools/bin/NAME) is hard-linked into
# $CACHE/tools/NAME-VERSION/ when `go version -m` shows it was built from the pinned module version.
adopt_tool() {
  local name=$1 dir ver legacy=$TOOLS_DIR/bin/$1 mod
  dir=$(tool_dir "$name"); ver=${dir##*/"$name"-}
  [ -x "$dir/$name" ] && return 0
  [ -x "$legacy" ] && have go || return 1
  mod=$(go version -m "$legacy" 2>/dev/null | awk '$1=="mod"{print $3; exit}')
  if [ "$mod" != "$ver" ]; then log "$name: $legacy is ${mod:-of unknown version}, not $ver: not reused"; return 1; fi
  mkdir -p "$dir"
  ln -f "$legacy" "$dir/$name" 2>/dev/null || cp -p "$legacy" "$dir/$name"
  log "$name $ver: reused $legacy"
}

# etcd_lacks_progress_notify: Debian's etcd 3.4.23 predates the fixed progress notifications
# (3.4.31 / 3.5.13), so the apiserver cannot serve streamed "watch-list" watches: it accepts them
# and then ends each one with "RequestWatchProgress is disabled", and client-go >= 0.35 clients
# (kwok 0.8 here) retry forever instead of falling back, their caches going stale (kwok's lease
# updates then conflict and its fake nodes flap NotReady). With WatchList off, such a watch is
# refused up front and client-go falls back to list + watch, as it is meant to.
etcd_lacks_progress_notify() {
  local v
  v=$("${ETCD_BIN:-$(command -v etcd)}" --version 2>/dev/null | sed -n 's/^etcd Version: \([0-9.]*\).*/\1/p')
  case $v in
    3.4.*) [ "${v#3.4.}" -lt 31 ] ;;
    3.5.*) [ "${v#3.5.}" -lt 13 ] ;;
    3.[0-3].*) return 0 ;;
    *) return 1 ;;
  esac
}
# apiserver_serves_watches_for_kwok: the running apiserver either has etcd's progress notifications
# or was started with WatchList=false (an apiserver started before that flag existed was not).
apiserver_serves_watches_for_kwok() {
  etcd_lacks_progress_notify || return 0
  daemon_alive kube-apiserver || return 1
  tr '\0' '\n' <"/proc/$(cat "$PIDS/kube-apiserver.pid")/cmdline" | grep -q '^--feature-gates=.*WatchList=false'
}
kubectl_bin() {
  resolve_bin_dir
  if [ -x "$BIN_DIR/kubectl" ]; then echo "$BIN_DIR/kubectl"; elif have kubectl; then command -v kubectl; else die "no kubectl"; fi
}
kc() { "$(kubectl_bin)" --kubeconfig "$ADMIN_KUBECONFIG" "$@"; }
api_ready() { curl -fsS --max-time 3 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" "https://127.0.0.1:$API_PORT/readyz" 2>/dev/null | grep -qx ok; }

# Daemons per tier, in start order (down stops them in reverse).
CONTROLPLANE_DAEMONS="etcd kube-apiserver kube-controller-manager kube-scheduler"
NODE_DAEMONS="registry containerd kubelet kube-proxy coredns"

# Debian packages: what each part needs (installed when missing).
PKGS_CONTROLPLANE="etcd-server openssl curl ca-certificates iproute2 util-linux"
PKGS_NODE="etcd-client containerd runc containernetworking-plugins iptables conntrack socat gcc libc6-dev busybox-static"
PKGS_IMAGES="docker.io debootstrap iptables"

# ensure_packages PKG...: apt-get install what is missing (root), else fail naming it.
ensure_packages() {
  local p miss=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || miss+=("$p")
  done
  [ ${#miss[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] && have apt-get || die "missing Debian packages: ${miss[*]} (install them as root: apt-get install ${miss[*]})"
  log "installing Debian packages: ${miss[*]}"
  mkdir -p "$LOGS"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"$LOGS/apt.log" 2>&1 || { tail -20 "$LOGS/apt.log" >&2; die "apt-get update failed"; }
  # docker.io's postinst may try to start dockerd; there is no init system to do so here, which is fine.
  apt-get install -y -qq --no-install-recommends "${miss[@]}" >>"$LOGS/apt.log" 2>&1 || { tail -30 "$LOGS/apt.log" >&2; die "apt-get install ${miss[*]} failed"; }
}

ctr_() { ctr --address "$CONTAINERD_SOCK" "$@"; }

# Node facts: NODE_NAME (lower-case hostname) and NODE_IP (address of the default-route device).
node_facts() {
  NODE_NAME=${NODE_NAME:-$(hostname | tr '[:upper:]' '[:lower:]')}
  if [ -z "${NODE_IP:-}" ]; then
    local dev
    dev=$(ip -4 route show default 2>/dev/null | awk '{for(i=1;i<NF;i++) if($i=="dev"){print $(i+1); exit}}')
    [ -n "$dev" ] || die "no IPv4 default route; set NODE_IP to a non-loopback address of this host"
    NODE_IP=$(ip -4 -o addr show dev "$dev" scope global | awk '{print $4}' | cut -d/ -f1 | head -1)
  fi
  [ -n "$NODE_IP" ] || die "could not determine NODE_IP"
}

# ------------------------------------------------------ process bookkeeping --
# start_daemon NAME CMD ARGS...  -> own session, stdout/err to $LOGS/NAME.log,
# pid written by the process itself to $PIDS/NAME.pid (correct with or without job control),
# executable recorded in $PIDS/NAME.exe so stop_daemon can verify the pid before signalling.
start_daemon() {
  local name=$1; shift
  local pidf=$PIDS/$name.pid exe
  mkdir -p "$PIDS" "$LOGS"
  if daemon_alive "$name"; then log "$name already running (pid $(cat "$pidf"))"; return 0; fi
  exe=$(readlink -f "$(command -v "$1")") || die "$1 not found"
  rm -f "$pidf"
  printf '%s\n' "$exe" >"$PIDS/$name.exe"
  printf '\n==== %s start %s\n' "$(date -Is)" "$*" >>"$LOGS/$name.log"
  # shellcheck disable=SC2016
  # 9>&-: cluster.sh holds its lock on fd 9; a daemon must not inherit it (it would hold the lock forever)
  setsid sh -c 'echo $$ > "$0"; exec "$@"' "$pidf" "$@" </dev/null >>"$LOGS/$name.log" 2>&1 9>&- &
  for _ in $(seq 1 50); do [ -s "$pidf" ] && break; sleep 0.1; done
  [ -s "$pidf" ] || die "$name: no pid file"
  log "$name started (pid $(cat "$pidf"), log $LOGS/$name.log)"
}

# daemon_alive NAME: pid file exists, process alive, and its executable is the one we started.
daemon_alive() {
  local name=$1 pid exe
  [ -s "$PIDS/$name.pid" ] || return 1
  pid=$(cat "$PIDS/$name.pid")
  [ -d "/proc/$pid" ] || return 1
  exe=$(readlink -f "/proc/$pid/exe" 2>/dev/null) || return 1
  [ -s "$PIDS/$name.exe" ] && [ "$exe" = "$(cat "$PIDS/$name.exe")" ]
}

# stop_daemon NAME [TIMEOUT_S]: TERM, wait, KILL; only the recorded pid, only if it is still ours.
stop_daemon() {
  local name=$1 timeout=${2:-20} pid
  if ! daemon_alive "$name"; then
    [ -e "$PIDS/$name.pid" ] && log "$name not running (stale pid file removed)"
    rm -f "$PIDS/$name.pid" "$PIDS/$name.exe"; return 0
  fi
  pid=$(cat "$PIDS/$name.pid")
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((timeout * 10))); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
  if [ -d "/proc/$pid" ]; then log "$name did not exit after ${timeout}s, SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; sleep 0.5; fi
  rm -f "$PIDS/$name.pid" "$PIDS/$name.exe"
}

# stop_daemons TIMEOUT_S NAME...: like stop_daemon, for several at once (TERM all, then wait).
stop_daemons() {
  local timeout=$1 name pid pids=() names=(); shift
  for name in "$@"; do
    if daemon_alive "$name"; then
      pid=$(cat "$PIDS/$name.pid"); pids+=("$pid"); names+=("$name")
      log "stopping $name (pid $pid)"; kill -TERM "$pid" 2>/dev/null || true
    else
      [ -e "$PIDS/$name.pid" ] && log "$name not running (stale pid file removed)"
      rm -f "$PIDS/$name.pid" "$PIDS/$name.exe"
    fi
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  local i alive
  for _ in $(seq 1 $((timeout * 10))); do
    alive=0; for pid in "${pids[@]}"; do [ -d "/proc/$pid" ] && alive=1; done
    [ $alive = 0 ] && break; sleep 0.1
  done
  for i in "${!pids[@]}"; do
    if [ -d "/proc/${pids[$i]}" ]; then log "${names[$i]} did not exit after ${timeout}s, SIGKILL"; kill -KILL "${pids[$i]}" 2>/dev/null || true; fi
    rm -f "$PIDS/${names[$i]}.pid" "$PIDS/${names[$i]}.exe"
  done
}

# wait_for DESCRIPTION TIMEOUT_S CMD...: poll CMD every second.
wait_for() {
  local what=$1 timeout=$2 t0; shift 2
  t0=$(date +%s)
  until "$@" >/dev/null 2>&1; do
    if [ $(( $(date +%s) - t0 )) -ge "$timeout" ]; then log "timed out after ${timeout}s waiting for $what"; return 1; fi
    sleep 1
  done
  log "$what ready after $(( $(date +%s) - t0 ))s"
}

# ------------------------------------------------------------ OCI images --
# oci_archive_from_dir IMAGE_NAME ROOTFS_DIR OUT_TAR ENTRYPOINT_JSON [CMD_JSON]
# Writes an OCI image-layout tar with one uncompressed layer, importable by
# `ctr images import` (name carried in the io.containerd.image.name annotation).
oci_archive_from_dir() {
  local name=$1 rootfs=$2 out=$3 entry=$4 cmd=${5:-null}
  local work layer ld ls cfg cd cs man md ms tag
  work=$(mktemp -d "$IMAGES_DIR/.build.XXXXXX")
  mkdir -p "$work/blobs/sha256"
  layer=$work/layer.tar
  tar --numeric-owner --xattrs -C "$rootfs" \
      --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
      --exclude='./var/cache/apt/archives/*.deb' --exclude='./var/lib/apt/lists/*' \
      -cf "$layer" .
  ld=$(sha256sum "$layer" | cut -d' ' -f1); ls=$(stat -c %s "$layer")
  mv "$layer" "$work/blobs/sha256/$ld"
  cfg=$(printf '{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Entrypoint":%s,"Cmd":%s,"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"kubevod oci_archive_from_dir"}]}' "$entry" "$cmd" "$ld")
  printf '%s' "$cfg" >"$work/cfg.json"
  cd=$(sha256sum "$work/cfg.json" | cut -d' ' -f1); cs=$(stat -c %s "$work/cfg.json")
  mv "$work/cfg.json" "$work/blobs/sha256/$cd"
  man=$(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' "$cd" "$cs" "$ld" "$ls")
  printf '%s' "$man" >"$work/man.json"
  md=$(sha256sum "$work/man.json" | cut -d' ' -f1); ms=$(stat -c %s "$work/man.json")
  mv "$work/man.json" "$work/blobs/sha256/$md"
  tag=${name##*:}
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"platform":{"architecture":"amd64","os":"linux"},"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' "$md" "$ms" "$name" "$tag" >"$work/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$work/oci-layout"
  tar -C "$work" -cf "$out.tmp" oci-layout index.json blobs
  mv "$out.tmp" "$out"
  rm -rf "$work"
}

# image_present NAME: is NAME in containerd's k8s.io namespace?
# (no `grep -q` in the pipe: under pipefail its early exit fails `ctr` with SIGPIPE on long lists)
image_present() { ctr_ -n k8s.io images ls -q 2>/dev/null | grep -xF "$1" >/dev/null; }

# image_import NAME TAR: import into the k8s.io namespace (the one the CRI plugin uses), unpacked for overlayfs.
image_import() {
  local name=$1 tar=$2
  ctr_ -n k8s.io images import --snapshotter overlayfs "$tar" >&2
  image_present "$name" || die "import of $tar did not produce image $name (ctr images ls shows: $(ctr_ -n k8s.io images ls -q | tr '\n' ' '))"
}

# build_pause_image OUT_TAR: static C pause (own code) if a C compiler and libc.a exist, else busybox sleep.
build_pause_image() {
  local out=$1 d
  d=$(mktemp -d "$IMAGES_DIR/.pause.XXXXXX")
  mkdir -p "$d/rootfs"
  cat >"$d/pause.c" <<'EOF'
/* Minimal pod sandbox process: sleeps until SIGINT/SIGTERM, reaps children. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
static void on_term(int s) { (void)s; _exit(0); }
static void on_chld(int s) { (void)s; while (waitpid(-1, 0, WNOHANG) > 0) {} }
int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_term;
  sigaction(SIGINT, &sa, 0);
  sigaction(SIGTERM, &sa, 0);
  sa.sa_handler = on_chld;
  sa.sa_flags = SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, 0);
  for (;;) pause();
}
EOF
  if have cc && cc -static -Os -s -o "$d/rootfs/pause" "$d/pause.c" 2>"$d/cc.log"; then
    oci_archive_from_dir "$PAUSE_IMAGE" "$d/rootfs" "$out" '["/pause"]'
  elif [ -x /bin/busybox ]; then
    log "no static C toolchain ($(tr '\n' ' ' <"$d/cc.log")); pause image uses busybox sleep"
    cp /bin/busybox "$d/rootfs/pause-busybox"
    oci_archive_from_dir "$PAUSE_IMAGE" "$d/rootfs" "$out" '["/pause-busybox","sleep","2147483647"]'
  else
    die "cannot build a pause image: need cc+libc6-dev or busybox-static"
  fi
  rm -rf "$d"
}

# build_busybox_image OUT_TAR: busybox-static + relative applet links + minimal /etc.
build_busybox_image() {
  local out=$1 d a
  [ -x /bin/busybox ] || die "busybox-static not installed"
  d=$(mktemp -d "$IMAGES_DIR/.busybox.XXXXXX")
  mkdir -p "$d/rootfs/bin" "$d/rootfs/etc" "$d/rootfs/tmp" "$d/rootfs/www" "$d/rootfs/root"
  chmod 1777 "$d/rootfs/tmp"
  cp /bin/busybox "$d/rootfs/bin/busybox"
  for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$d/rootfs/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$d/rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$d/rootfs/etc/group"
  printf 'hosts: files dns\n' >"$d/rootfs/etc/nsswitch.conf"
  oci_archive_from_dir "$BUSYBOX_IMAGE" "$d/rootfs" "$out" 'null' '["/bin/sh"]'
  rm -rf "$d"
}

debian_mirror() {
  if [ -n "$DEBIAN_MIRROR" ]; then echo "$DEBIAN_MIRROR"; return; fi
  local m
  m=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -1)
  [ -n "$m" ] || m=$(grep -hs '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -v security | head -1)
  [ -n "$m" ] || die "no Debian mirror in the apt sources: set DEBIAN_MIRROR"
  echo "$m"
}

# build_debian_image OUT_TAR [EXTRA_PACKAGES_COMMA_LIST]: debootstrap --variant=minbase bookworm.
build_debian_image() {
  local out=$1 include=${2:-} d args=()
  have debootstrap || die "debootstrap not installed"
  d=$(mktemp -d "$IMAGES_DIR/.debian.XXXXXX")
  args=(--variant=minbase)
  [ -n "$include" ] && args+=("--include=$include")
  log "debootstrap bookworm from $(debian_mirror) (log $d.log)"
  if ! debootstrap "${args[@]}" bookworm "$d/rootfs" "$(debian_mirror)" >"$d.log" 2>&1; then
    tail -20 "$d.log" >&2; rm -rf "$d"; return 1
  fi
  oci_archive_from_dir "$DEBIAN_IMAGE" "$d/rootfs" "$out" 'null' '["/bin/bash"]'
  rm -rf "$d" "$d.log"
}

# ensure_image NAME KIND: build (cached in $IMAGES_DIR) and import if containerd lacks it.
ensure_image() {
  local name=$1 kind=$2 tar
  mkdir -p "$IMAGES_DIR"
  tar=$IMAGES_DIR/$kind.oci.tar
  if image_present "$name"; then return 0; fi
  if [ ! -s "$tar" ]; then
    log "building $kind image -> $tar"
    case $kind in
      pause)   build_pause_image "$tar" ;;
      busybox) build_busybox_image "$tar" ;;
      debian)  build_debian_image "$tar" "${DEBIAN_INCLUDE:-}" ;;
      *) die "unknown image kind $kind" ;;
    esac
  fi
  image_import "$name" "$tar"
  log "image $name imported ($(du -h "$tar" | cut -f1))"
}
