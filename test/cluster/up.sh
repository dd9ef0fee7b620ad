#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Bring up one tier of a local single-node Kubernetes (binaries from build.sh). Run through
# `cluster.sh up <tier>`, which sets KUBEVOD_TIER:
#   controlplane: etcd (Debian) -> kube-apiserver -> kube-controller-manager + kube-scheduler, guard routes
#   node:         controlplane + sysctls, FORWARD chain, local registry (127.0.0.1:5000),
#                 containerd (Debian 1.6, CRI) + bridge CNI, pause image, kubelet, kube-proxy, CoreDNS
# Idempotent: a daemon that is already running (pid file + executable check) is left alone.
# Every process started records its pid in $STATE/pids/NAME.pid; down.sh stops exactly those.
#
# Env (see lib.sh for the rest): KUBEVOD_CACHE, KUBEVOD_STATE, NODE_IP, NODE_NAME,
#   COREDNS_MODE=pod|host|none, STEPS="..." to run a subset (debugging).
set -euo pipefail
SCRIPT_NAME=up
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

KUBEVOD_TIER=${KUBEVOD_TIER:-controlplane}
case $KUBEVOD_TIER in
  controlplane) DEFAULT_STEPS="packages pki kubeconfigs etcd apiserver controlplane guard" ;;
  node) DEFAULT_STEPS="packages sysctl pki kubeconfigs etcd apiserver controlplane guard net registry containerd pause kubelet kubeproxy coredns" ;;
  *) die "unknown tier $KUBEVOD_TIER (controlplane|node)" ;;
esac
STEPS=${STEPS:-$DEFAULT_STEPS}
ADMISSION_PLUGINS=${ADMISSION_PLUGINS:-NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,DefaultTolerationSeconds,Priority,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ResourceQuota,NodeRestriction}
NODE_READY_TIMEOUT=${NODE_READY_TIMEOUT:-180}
# sysctls the kubelet (protectKernelDefaults=false) and kube-proxy/bridge CNI change; saved once, restored by down.sh
SAVED_SYSCTLS="net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables net.ipv4.conf.all.route_localnet vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys kernel.keys.root_maxbytes"

require_root
want() { case " $STEPS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
mkdir -p "$STATE" "$PKI" "$KCFG" "$LOGS" "$PIDS" "$CONF" "$CACHE" "$IMAGES_DIR"
chmod 700 "$STATE"
node_facts
resolve_bin_dir
log "node $NODE_NAME ip $NODE_IP; k8s binaries ${BIN_DIR}; state $STATE"

# Pre-flight: every binary this tier needs exists, before anything is started.
need=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
[ "$KUBEVOD_TIER" = node ] && need+=(kubelet kube-proxy)
for b in "${need[@]}"; do k8s_bin "$b" >/dev/null; done
if [ "$KUBEVOD_TIER" = node ]; then
  tools=(registry); if want coredns && [ "$COREDNS_MODE" != none ]; then tools+=(coredns); fi
  for t in "${tools[@]}"; do
    adopt_tool "$t" || true
    [ -x "$(tool_bin "$t")" ] || die "$(tool_bin "$t") is missing: run 'bash test/cluster/cluster.sh build node'"
  done
fi

# ---------------------------------------------------------------- packages --
if want packages; then
  step_begin "Debian packages ($KUBEVOD_TIER)"
  # shellcheck disable=SC2086
  if [ "$KUBEVOD_TIER" = node ]; then ensure_packages $PKGS_CONTROLPLANE $PKGS_NODE; else ensure_packages $PKGS_CONTROLPLANE; fi
  log "etcd $(etcd --version 2>/dev/null | head -1 | awk '{print $3}')"
  if [ "$KUBEVOD_TIER" = node ]; then log "containerd $(containerd --version | awk '{print $3}'), runc $(runc --version | head -1 | awk '{print $3}')"; fi
  step_end
fi

# ------------------------------------------------------------------ sysctl --
if want sysctl; then
  step_begin "kernel settings"
  if [ ! -s "$STATE/sysctl.orig" ]; then
    for k in $SAVED_SYSCTLS; do
      f=/proc/sys/$(echo "$k" | tr . /)
      [ -e "$f" ] && printf '%s=%s\n' "$k" "$(cat "$f")"
    done >"$STATE/sysctl.orig"
    log "saved original values to $STATE/sysctl.orig"
  fi
  sysctl -qw net.ipv4.ip_forward=1
  if [ ! -e /proc/sys/net/bridge/bridge-nf-call-iptables ] && have modprobe; then modprobe br_netfilter 2>/dev/null || true; fi
  if [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]; then
    sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1
    echo false >"$STATE/masquerade-all"
  else
    log "no br_netfilter: kube-proxy will run with masqueradeAll=true so same-bridge service replies return via the host"
    echo true >"$STATE/masquerade-all"
  fi
  if [ -n "$(swapon --noheadings 2>/dev/null)" ]; then log "swap is on (kubelet runs with failSwapOn=false)"; fi
  log "cgroup fs: $(stat -fc %T /sys/fs/cgroup) (tmpfs = v1/hybrid; kubelet 1.34 accepts it with failCgroupV1=false)"
  step_end
fi

# --------------------------------------------------------------------- pki --
# CA, serving certs, SA keypair, front-proxy CA, client certs for every component.
CA_DAYS=3650
gen_key() { [ -s "$1" ] || openssl genrsa -out "$1" 2048 2>/dev/null; chmod 600 "$1"; }
# gen_cert NAME CN O EKU SANS CA_PREFIX
gen_cert() {
  local name=$1 cn=$2 o=$3 eku=$4 sans=$5 ca=${6:-ca} subj ext
  gen_key "$PKI/$name.key"
  subj="/CN=$cn"; [ -n "$o" ] && subj="/O=$o$subj"
  ext="basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=$eku
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid"
  [ -n "$sans" ] && ext="$ext
subjectAltName=$sans"
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" -CAcreateserial \
    -days "$CA_DAYS" -sha256 -extfile <(printf '%s\n' "$ext") -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr"
}
gen_ca() { # NAME CN
  [ -s "$PKI/$1.crt" ] && return 0
  gen_key "$PKI/$1.key"
  openssl req -x509 -new -key "$PKI/$1.key" -subj "/CN=$2" -days "$CA_DAYS" -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -addext "subjectKeyIdentifier=hash" -out "$PKI/$1.crt" 2>/dev/null
}
cert_ok() { # NAME [MUST_CONTAIN_SAN]
  [ -s "$PKI/$1.crt" ] && [ -s "$PKI/$1.key" ] || return 1
  [ -z "${2:-}" ] || openssl x509 -in "$PKI/$1.crt" -noout -ext subjectAltName 2>/dev/null | tr ',' '\n' | sed 's/^ *//' | grep -qxF "$2"
}
if want pki; then
  step_begin "PKI in $PKI"
  gen_ca ca kubernetes-local-ca
  gen_ca front-proxy-ca kubernetes-local-front-proxy-ca
  if [ ! -s "$PKI/sa.key" ]; then gen_key "$PKI/sa.key"; openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null; fi
  api_sans="DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$CLUSTER_DOMAIN,DNS:localhost,DNS:$NODE_NAME,IP:127.0.0.1,IP:$API_SERVICE_IP,IP:$NODE_IP"
  cert_ok apiserver "IP Address:$NODE_IP" || gen_cert apiserver kube-apiserver "" serverAuth "$api_sans"
  cert_ok kubelet "IP Address:$NODE_IP" || gen_cert kubelet "$NODE_NAME" "" serverAuth "DNS:$NODE_NAME,DNS:localhost,IP:$NODE_IP,IP:127.0.0.1"
  cert_ok apiserver-kubelet-client || gen_cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters clientAuth ""
  cert_ok admin || gen_cert admin kubernetes-admin system:masters clientAuth ""
  cert_ok kube-controller-manager || gen_cert kube-controller-manager system:kube-controller-manager "" clientAuth ""
  cert_ok kube-scheduler || gen_cert kube-scheduler system:kube-scheduler "" clientAuth ""
  cert_ok kube-proxy || gen_cert kube-proxy system:kube-proxy "" clientAuth ""
  cert_ok "kubelet-client-$NODE_NAME" || gen_cert "kubelet-client-$NODE_NAME" "system:node:$NODE_NAME" system:nodes clientAuth ""
  cert_ok front-proxy-client || gen_cert front-proxy-client front-proxy-client "" clientAuth "" front-proxy-ca
  for c in apiserver kubelet apiserver-kubelet-client admin kube-controller-manager kube-scheduler kube-proxy "kubelet-client-$NODE_NAME"; do
    openssl verify -CAfile "$PKI/ca.crt" "$PKI/$c.crt" >/dev/null || die "cert $c does not verify"
  done
  openssl verify -CAfile "$PKI/front-proxy-ca.crt" "$PKI/front-proxy-client.crt" >/dev/null || die "front-proxy-client does not verify"
  log "$(openssl x509 -in "$PKI/apiserver.crt" -noout -ext subjectAltName | tail -1 | sed 's/^ *//')"
  step_end
fi

# ------------------------------------------------------------- kubeconfigs --
# write_kubeconfig FILE USER CERT_NAME [SERVER]
write_kubeconfig() {
  local f=$1 user=$2 cert=$3 server=${4:-https://127.0.0.1:$API_PORT}
  umask 077
  cat >"$f" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: $server
    certificate-authority-data: $(base64 -w0 <"$PKI/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 <"$PKI/$cert.crt")
    client-key-data: $(base64 -w0 <"$PKI/$cert.key")
contexts:
- name: $user@local
  context:
    cluster: local
    user: $user
current-context: $user@local
EOF
  umask 022
}
if want kubeconfigs; then
  step_begin "kubeconfigs"
  write_kubeconfig "$ADMIN_KUBECONFIG" admin admin
  write_kubeconfig "$KCFG/kube-controller-manager.kubeconfig" kube-controller-manager kube-controller-manager
  write_kubeconfig "$KCFG/kube-scheduler.kubeconfig" kube-scheduler kube-scheduler
  write_kubeconfig "$KCFG/kube-proxy.kubeconfig" kube-proxy kube-proxy
  write_kubeconfig "$KCFG/kubelet.kubeconfig" "system:node:$NODE_NAME" "kubelet-client-$NODE_NAME"
  log "admin kubeconfig: $ADMIN_KUBECONFIG"
  step_end
fi

# -------------------------------------------------------------------- etcd --
etcd_healthy() { curl -fsS --max-time 2 "http://127.0.0.1:$ETCD_PORT/health" | grep -q '"health":"true"'; }
if want etcd; then
  step_begin "etcd"
  ETCD_BIN=${ETCD_BIN:-$(command -v etcd)}
  mkdir -p "$STATE/etcd"; chmod 700 "$STATE/etcd"
  # ETCD_UNSUPPORTED_ARCH is not needed on amd64; 3.4 logs a capnslog deprecation notice without --logger=zap.
  start_daemon etcd "$ETCD_BIN" --name=local --data-dir="$STATE/etcd" \
    --listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="local=http://127.0.0.1:$ETCD_PEER_PORT" --initial-cluster-state=new \
    --auto-compaction-retention=1 --quota-backend-bytes=8589934592 --logger=zap
  wait_for "etcd /health" 60 etcd_healthy || { tail -30 "$LOGS/etcd.log" >&2; die "etcd not healthy"; }
  log "$(curl -fsS "http://127.0.0.1:$ETCD_PORT/version")"
  step_end
fi

# --------------------------------------------------------------- apiserver --
if want apiserver; then
  step_begin "kube-apiserver"
  APISERVER_GATES=${APISERVER_GATES-}
  if [ -z "$APISERVER_GATES" ] && etcd_lacks_progress_notify; then APISERVER_GATES=WatchList=false; fi
  start_daemon kube-apiserver "$(k8s_bin kube-apiserver)" \
    ${APISERVER_GATES:+--feature-gates="$APISERVER_GATES"} \
    --v="$KUBE_LOG_LEVEL" \
    --advertise-address="$NODE_IP" --bind-address=0.0.0.0 --secure-port="$API_PORT" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" --storage-backend=etcd3 \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --authorization-mode=Node,RBAC --enable-admission-plugins="$ADMISSION_PLUGINS" --allow-privileged=true \
    --client-ca-file="$PKI/ca.crt" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types=InternalIP,Hostname \
    --service-account-issuer="https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" --requestheader-allowed-names=front-proxy-client \
    --requestheader-extra-headers-prefix=X-Remote-Extra- --requestheader-group-headers=X-Remote-Group \
    --requestheader-username-headers=X-Remote-User \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
    --profiling=false
  wait_for "kube-apiserver /readyz" 180 api_ready || { tail -40 "$LOGS/kube-apiserver.log" >&2; die "apiserver not ready"; }
  step_end
fi

# ------------------------------------------------------ controller-manager --
if want controlplane; then
  step_begin "kube-controller-manager + kube-scheduler"
  start_daemon kube-controller-manager "$(k8s_bin kube-controller-manager)" \
    --v="$KUBE_LOG_LEVEL" \
    --kubeconfig="$KCFG/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig="$KCFG/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig="$KCFG/kube-controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$KCM_PORT" --leader-elect=false --use-service-account-credentials=true \
    --controllers='*,bootstrapsigner,tokencleaner' \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --allocate-node-cidrs=true --cluster-cidr="$CLUSTER_CIDR" --node-cidr-mask-size=24 \
    --service-cluster-ip-range="$SERVICE_CIDR" --profiling=false
  start_daemon kube-scheduler "$(k8s_bin kube-scheduler)" \
    --v="$KUBE_LOG_LEVEL" \
    --kubeconfig="$KCFG/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig="$KCFG/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig="$KCFG/kube-scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$SCHEDULER_PORT" --leader-elect=false --profiling=false
  wait_for "kube-controller-manager /healthz" 60 curl -fsSk "https://127.0.0.1:$KCM_PORT/healthz" || { tail -30 "$LOGS/kube-controller-manager.log" >&2; die "kcm not healthy"; }
  wait_for "kube-scheduler /healthz" 60 curl -fsSk "https://127.0.0.1:$SCHEDULER_PORT/healthz" || { tail -30 "$LOGS/kube-scheduler.log" >&2; die "scheduler not healthy"; }
  step_end
fi

# --------------------------------------------------------------------- net --
# Guard routes: the service range and the cluster range (outside this node's /24) go to a port-less
# link, so a packet for them that no kube-proxy rule rewrote is dropped here instead of leaving
# through the default route (both tiers: nothing for these ranges may ever leave the machine).
if want guard; then
  step_begin "guard routes for $SERVICE_CIDR and $CLUSTER_CIDR"
  if ! ip link show "$GUARD_IF" >/dev/null 2>&1; then
    ip link add "$GUARD_IF" type dummy 2>/dev/null || ip link add "$GUARD_IF" type bridge
  fi
  ip link set "$GUARD_IF" up
  ip route replace "$SERVICE_CIDR" dev "$GUARD_IF"
  ip route replace "$CLUSTER_CIDR" dev "$GUARD_IF"
  log "routes: $(ip route show dev "$GUARD_IF" | tr '\n' ';') e.g. $(ip route get "$API_SERVICE_IP" | head -1)"
  step_end
fi

# A FORWARD accept chain for pod traffic (Docker sets the FORWARD policy to DROP), node tier.
if want net; then
  step_begin "iptables FORWARD chain $FWD_CHAIN"
  # remember which chains exist before the kubelet/kube-proxy/CNI add theirs (down.sh removes only new ones)
  for fam in iptables ip6tables; do
    [ -s "$STATE/$fam.before" ] && continue
    have "$fam-save" || continue
    for t in filter nat mangle raw; do "$fam-save" -t "$t" 2>/dev/null | sed -n "s/^:\\([^ ]*\\) .*/$t \\1/p"; done >"$STATE/$fam.before"
    echo "# recorded" >>"$STATE/$fam.before"
  done
  iptables -w -N "$FWD_CHAIN" 2>/dev/null || true
  iptables -w -F "$FWD_CHAIN"
  iptables -w -A "$FWD_CHAIN" -s "$CLUSTER_CIDR" -m comment --comment "kubevod pods" -j ACCEPT
  iptables -w -A "$FWD_CHAIN" -d "$CLUSTER_CIDR" -m comment --comment "kubevod pods" -j ACCEPT
  iptables -w -C FORWARD -j "$FWD_CHAIN" 2>/dev/null || iptables -w -I FORWARD 1 -j "$FWD_CHAIN"
  step_end
fi

# ---------------------------------------------------------------- registry --
# CNCF distribution on loopback, filesystem storage under $STATE/registry. containerd pulls
# localhost:5000/... through certs.d/hosts.toml (plain http); docker pushes to localhost:5000.
registry_ready() { curl -fsS --max-time 2 "http://$REGISTRY_ADDR/v2/" >/dev/null; }
if want registry; then
  step_begin "local registry on $REGISTRY_ADDR"
  mkdir -p "$STATE/registry"
  cat >"$CONF/registry.yml" <<EOF
version: 0.1
log:
  level: info
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $STATE/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
EOF
  OTEL_TRACES_EXPORTER=none start_daemon registry "$(tool_bin registry)" serve "$CONF/registry.yml"
  wait_for "registry /v2/" 30 registry_ready || { tail -20 "$LOGS/registry.log" >&2; die "registry not ready"; }
  step_end
fi

# -------------------------------------------------------------- containerd --
containerd_ready() { ctr_ version >/dev/null 2>&1; }
if want containerd; then
  step_begin "containerd (CRI) + CNI config"
  # containerd 1.6 also uses fixed host paths: /run/containerd/{s,fifo,runc} (shim sockets, fifos, runc root)
  # and go-cni's result cache /var/lib/cni; note which ones we create so down.sh removes only those.
  [ -e /run/containerd ] || touch "$STATE/run-containerd.created"
  [ -e /var/lib/cni ] || touch "$STATE/var-lib-cni.created"
  mkdir -p "$CONTAINERD_DIR/root" "$CONTAINERD_DIR/state" "$CONTAINERD_DIR/opt" "$CNI_CONF_DIR" "$CNI_IPAM_DIR"
  for p in bridge host-local loopback portmap; do [ -x "$CNI_BIN_DIR/$p" ] || die "CNI plugin $CNI_BIN_DIR/$p missing"; done
  cat >"$CNI_CONF_DIR/10-$CNI_NET_NAME.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "$CNI_NET_NAME",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$CNI_BRIDGE",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$CNI_IPAM_DIR",
        "ranges": [[{ "subnet": "$POD_CIDR", "gateway": "$POD_GATEWAY" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true }, "externalSetMarkChain": "KUBE-MARK-MASQ" }
  ]
}
EOF
  cat >"$CONF/containerd.toml" <<EOF
# containerd 1.6 (Debian bookworm) config, schema version 2.
version = 2
root = "$CONTAINERD_DIR/root"
state = "$CONTAINERD_DIR/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = "$CONTAINERD_SOCK"

[plugins."io.containerd.internal.v1.opt"]
  path = "$CONTAINERD_DIR/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  disable_apparmor = true
  # The sandbox lacks CAP_SYS_RESOURCE (CapEff 0x1fffeffffff: bit 24 missing), so runc cannot lower
  # oom_score_adj below containerd's own (0): pause asks for -998, Guaranteed pods for -997.
  # true = clamp requested values to >= containerd's current score instead of failing the sandbox.
  restrict_oom_score_adj = ${RESTRICT_OOM_SCORE_ADJ:-true}
  # netns bind mounts under our state dir instead of /var/run/netns (down.sh unmounts everything under \$STATE)
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  max_container_log_line_size = 16384

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    discard_unpacked_layers = false

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false

  # Pulls of localhost:5000/... go to a local registry on loopback (plain HTTP), as kind's local-registry recipe does.
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$CONF/certs.d"

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN_DIR"
    conf_dir = "$CNI_CONF_DIR"
    max_conf_num = 1
EOF
  mkdir -p "$CONF/certs.d/$LOCAL_REGISTRY"
  cat >"$CONF/certs.d/$LOCAL_REGISTRY/hosts.toml" <<EOF
server = "http://$LOCAL_REGISTRY"
[host."http://$LOCAL_REGISTRY"]
  capabilities = ["pull", "resolve"]
EOF
  CONTAINERD_BIN=${CONTAINERD_BIN:-$(command -v containerd)}
  # a non-Debian containerd (build.sh TOOLS=containerd) finds its own shim next to it
  case $CONTAINERD_BIN in /usr/bin/containerd) ;; *) PATH="$(dirname "$CONTAINERD_BIN"):$PATH"; export PATH ;; esac
  start_daemon containerd "$CONTAINERD_BIN" --config "$CONF/containerd.toml" --log-level info
  wait_for "containerd" 60 containerd_ready || { tail -30 "$LOGS/containerd.log" >&2; die "containerd not ready"; }
  ctr_ version | sed -n 's/^ *Version: */  version /p' >&2
  cri=$(ctr_ plugins ls 2>/dev/null | awk '$2=="cri"{print $NF}')
  [ "$cri" = ok ] || { ctr_ plugins ls >&2; die "CRI plugin status: ${cri:-absent}"; }
  log "CRI plugin: ok"
  step_end
fi

if want pause; then
  step_begin "pause image $PAUSE_IMAGE"
  ensure_image "$PAUSE_IMAGE" pause
  step_end
fi

# ----------------------------------------------------------------- kubelet --
node_ready() { [ "$(kc get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]; }
if want kubelet; then
  step_begin "kubelet"
  mkdir -p "$KUBELET_ROOT" "$STATE/log/pods"
  cat >"$CONF/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 0.0.0.0
port: 10250
readOnlyPort: 0
# no CAP_SYS_RESOURCE here: the default -999 cannot be applied (non-fatal, but noisy)
oomScoreAdj: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: "$PKI/ca.crt"
authorization:
  mode: Webhook
tlsCertFile: "$PKI/kubelet.crt"
tlsPrivateKeyFile: "$PKI/kubelet.key"
rotateCertificates: false
serverTLSBootstrap: false
containerRuntimeEndpoint: "unix://$CONTAINERD_SOCK"
cgroupDriver: cgroupfs
cgroupsPerQOS: true
failSwapOn: false
failCgroupV1: false
clusterDomain: "$CLUSTER_DOMAIN"
clusterDNS:
- "$DNS_SERVICE_IP"
resolvConf: /etc/resolv.conf
podLogsDir: "$STATE/log/pods"
runtimeRequestTimeout: 10m
maxPods: 110
# Images cannot be re-pulled here (no registry): never garbage-collect them.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
# Small CI disks: do not taint the node for disk pressure before it is really full.
evictionHard:
  memory.available: "100Mi"
  nodefs.available: "2%"
  nodefs.inodesFree: "2%"
  imagefs.available: "2%"
evictionPressureTransitionPeriod: 30s
EOF
  # The kubelet's device-plugin dir is fixed at /var/lib/kubelet/device-plugins whatever --root-dir says;
  # note whether we are the ones creating /var/lib/kubelet so down.sh can remove it.
  [ -e /var/lib/kubelet ] || touch "$STATE/var-lib-kubelet.created"
  # Ensure the kernel settings the kubelet will overwrite were saved (sysctl step does it once).
  [ -s "$STATE/sysctl.orig" ] || log "warning: run the sysctl step first so down.sh can restore kernel settings"
  start_daemon kubelet "$(k8s_bin kubelet)" \
    --v="$KUBE_LOG_LEVEL" \
    --config="$CONF/kubelet.yaml" \
    --kubeconfig="$KCFG/kubelet.kubeconfig" \
    --root-dir="$KUBELET_ROOT" \
    --hostname-override="$NODE_NAME" --node-ip="$NODE_IP"
  wait_for "node $NODE_NAME registered" 120 kc get node "$NODE_NAME" || { tail -40 "$LOGS/kubelet.log" >&2; die "node did not register"; }
  step_end
fi

# -------------------------------------------------------------- kube-proxy --
if want kubeproxy; then
  step_begin "kube-proxy (iptables)"
  masq_all=$(cat "$STATE/masquerade-all" 2>/dev/null || echo false)
  cat >"$CONF/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection:
  kubeconfig: "$KCFG/kube-proxy.kubeconfig"
hostnameOverride: "$NODE_NAME"
mode: iptables
clusterCIDR: "$CLUSTER_CIDR"
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
oomScoreAdj: 0
iptables:
  masqueradeAll: $masq_all
  syncPeriod: 30s
  minSyncPeriod: 1s
conntrack:
  # leave the host's conntrack sysctls alone (as local-up-cluster.sh does)
  maxPerCore: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
EOF
  start_daemon kube-proxy "$(k8s_bin kube-proxy)" --v="$KUBE_LOG_LEVEL" --config="$CONF/kube-proxy.yaml"
  wait_for "kube-proxy /healthz" 60 curl -fsS http://127.0.0.1:10256/healthz || { tail -30 "$LOGS/kube-proxy.log" >&2; die "kube-proxy not healthy"; }
  step_end
  step_begin "wait for node Ready"
  wait_for "node $NODE_NAME Ready" "$NODE_READY_TIMEOUT" node_ready || { kc describe node "$NODE_NAME" >&2 || true; tail -40 "$LOGS/kubelet.log" >&2; die "node not Ready"; }
  step_end
fi

# ----------------------------------------------------------------- coredns --
coredns_corefile() { # EXTRA_SERVER_LINE EXTRA_K8S_LINES
  local fwd="" loop=""
  if [ -n "$COREDNS_FORWARD" ]; then fwd="    forward . $COREDNS_FORWARD"; loop="    loop"; fi
  cat <<EOF
.:53 {
$1
    errors
    health {
        lameduck 5s
    }
    ready
    kubernetes $CLUSTER_DOMAIN in-addr.arpa ip6.arpa {
$2        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
$fwd
    cache 30
$loop
    reload
    loadbalance
}
EOF
}
if want coredns && [ "$COREDNS_MODE" != none ]; then
  step_begin "CoreDNS ($COREDNS_MODE mode)"
  COREDNS_BIN=${COREDNS_BIN:-$(tool_bin coredns)}
  [ -x "$COREDNS_BIN" ] || die "$COREDNS_BIN missing: run 'bash test/cluster/cluster.sh build node'"
  if [ "$COREDNS_MODE" = pod ]; then
    cv=$("$COREDNS_BIN" -version 2>/dev/null | sed -n 's/^CoreDNS-\([0-9.]*\).*/\1/p' | head -1)
    COREDNS_IMAGE=docker.io/kubevod/coredns:${cv:-dev}
    if ! image_present "$COREDNS_IMAGE"; then
      d=$(mktemp -d "$IMAGES_DIR/.coredns.XXXXXX"); mkdir -p "$d/rootfs/etc/coredns"
      cp "$COREDNS_BIN" "$d/rootfs/coredns"
      oci_archive_from_dir "$COREDNS_IMAGE" "$d/rootfs" "$IMAGES_DIR/coredns.oci.tar" '["/coredns"]'
      image_import "$COREDNS_IMAGE" "$IMAGES_DIR/coredns.oci.tar"; rm -rf "$d"
    fi
    corefile=$(coredns_corefile "" "" | sed 's/^/    /')
    kc apply -f - >&2 <<EOF
apiVersion: v1
kind: ServiceAccount
metadata: {name: coredns, namespace: kube-system}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: "system:coredns"}
rules:
- apiGroups: [""]
  resources: [endpoints, services, pods, namespaces]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: "system:coredns"}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:coredns"}
subjects:
- {kind: ServiceAccount, name: coredns, namespace: kube-system}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: coredns, namespace: kube-system}
data:
  Corefile: |
$corefile
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: coredns
  namespace: kube-system
  labels: {k8s-app: kube-dns}
spec:
  replicas: 1
  selector: {matchLabels: {k8s-app: kube-dns}}
  template:
    metadata: {labels: {k8s-app: kube-dns}}
    spec:
      serviceAccountName: coredns
      priorityClassName: system-cluster-critical
      dnsPolicy: Default
      containers:
      - name: coredns
        image: $COREDNS_IMAGE
        imagePullPolicy: Never
        args: ["-conf", "/etc/coredns/Corefile"]
        ports:
        - {name: dns, containerPort: 53, protocol: UDP}
        - {name: dns-tcp, containerPort: 53, protocol: TCP}
        - {name: metrics, containerPort: 9153, protocol: TCP}
        resources:
          requests: {cpu: 50m, memory: 70Mi}
          limits: {memory: 170Mi}
        volumeMounts:
        - {name: config, mountPath: /etc/coredns, readOnly: true}
        readinessProbe:
          httpGet: {path: /ready, port: 8181}
          periodSeconds: 2
        livenessProbe:
          httpGet: {path: /health, port: 8080}
          initialDelaySeconds: 30
          timeoutSeconds: 5
      volumes:
      - name: config
        configMap: {name: coredns}
---
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels: {k8s-app: kube-dns, kubernetes.io/name: CoreDNS}
spec:
  selector: {k8s-app: kube-dns}
  clusterIP: $DNS_SERVICE_IP
  ports:
  - {name: dns, port: 53, protocol: UDP}
  - {name: dns-tcp, port: 53, protocol: TCP}
  - {name: metrics, port: 9153, protocol: TCP}
EOF
    kc -n kube-system rollout status deploy/coredns --timeout=180s >&2 || { kc -n kube-system describe pods -l k8s-app=kube-dns >&2 || true; die "CoreDNS not available"; }
  else
    # host mode: CoreDNS on the node IP, the kube-dns Service points at it through a manual Endpoints object.
    mkdir -p "$STATE/coredns"
    coredns_corefile "    bind $NODE_IP" "        kubeconfig $ADMIN_KUBECONFIG admin@local
" >"$STATE/coredns/Corefile"
    start_daemon coredns "$COREDNS_BIN" -conf "$STATE/coredns/Corefile"
    kc apply -f - >&2 <<EOF
apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  clusterIP: $DNS_SERVICE_IP
  ports:
  - {name: dns, port: 53, protocol: UDP, targetPort: 53}
  - {name: dns-tcp, port: 53, protocol: TCP, targetPort: 53}
---
apiVersion: v1
kind: Endpoints
metadata: {name: kube-dns, namespace: kube-system}
subsets:
- addresses: [{ip: "$NODE_IP"}]
  ports:
  - {name: dns, port: 53, protocol: UDP}
  - {name: dns-tcp, port: 53, protocol: TCP}
EOF
  fi
  step_end
fi

# `up controlplane` on a running node tier (as `up kwok` does) keeps the recorded tier "node"
if [ "$KUBEVOD_TIER" = node ] || [ "$(cat "$STATE/tier" 2>/dev/null)" != node ] || ! daemon_alive kubelet; then
  echo "$KUBEVOD_TIER" >"$STATE/tier"
fi
log "$KUBEVOD_TIER tier up in $(( $(date +%s) - _RUN_T0 ))s. export KUBECONFIG=$ADMIN_KUBECONFIG"
