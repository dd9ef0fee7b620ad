#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Build what a tier needs, from the Go module proxy, into $KUBEVOD_CACHE (default ~/.cache/kubevod):
#   Kubernetes binaries (wrapper module in ./kubebins) -> $CACHE/k8s-$K8S_VERSION/bin/
#   tools (go install, pinned in versions.env)         -> $CACHE/tools/<name>-<version>/<name>
# Skips whatever already exists. Prints timings. Normally run through `cluster.sh build <tier>`,
# which sets K8S_BINARIES and TOOLS for the tier.
#
# Needs: Go >= 1.24 with the module proxy (Go 1.26 verified); gcc for the cgo kubelet
# (set KUBELET_CGO=0 to build it static instead).
#
# Env:
#   K8S_BINARIES="..."  subset of: kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubectl kubelet
#   TOOLS="..."         subset of: minio coredns registry helm kwok
#   GO_BUILD_P=2        go build -p
set -euo pipefail
SCRIPT_NAME=build
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

K8S_MINOR=${K8S_MINOR:-34}
K8S_BINARIES=${K8S_BINARIES-kube-apiserver kube-controller-manager kube-scheduler kube-proxy kubectl kubelet}
TOOLS=${TOOLS-minio}
GO_BUILD_P=${GO_BUILD_P:-2}
KUBELET_CGO=${KUBELET_CGO:-1}
GO_TAGS=selinux,notest,grpcnotrace   # what hack/lib/golang.sh passes

export GOTOOLCHAIN=local   # never download a toolchain; fail loudly instead
export GO111MODULE=on
unset GOFLAGS             # -mod=mod is passed only to the wrapper-module builds (go install pkg@v rejects it)

have go || die "go not found (needs Go >= 1.24 and a Go module proxy)"
GOV=$(go env GOVERSION)
case $GOV in
  go1.2[4-9]*|go1.[3-9][0-9]*) ;;
  *) die "$GOV is too old: k8s.io/kubernetes v1.$K8S_MINOR needs go >= 1.24" ;;
esac

TIME=()
if [ ! -x /usr/bin/time ] && [ "$(id -u)" = 0 ] && have apt-get; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1 || true   # for max-RSS figures
fi
if [ -x /usr/bin/time ]; then TIME=(/usr/bin/time -f '    [time] %es elapsed, %MKB max RSS'); fi
timed() { local t0=$SECONDS; "${TIME[@]}" "$@"; log "    $(( SECONDS - t0 ))s: $*"; }

SCRATCH=$CACHE/src/scratch
mkdir -p "$SCRATCH"
[ -f "$SCRATCH/go.mod" ] || printf 'module example.invalid/scratch\n\ngo 1.24.0\n' >"$SCRATCH/go.mod"

# newest_version MODULE REGEX -> newest listed version matching REGEX
newest_version() {
  (cd "$SCRATCH" && go list -m -versions "$1") | tr ' ' '\n' | grep -E "$2" | sort -V | tail -1
}

# ------------------------------------------------------------ kubernetes --
step_begin "resolve Kubernetes version"
if [ -z "$K8S_VERSION" ]; then
  K8S_VERSION=$(newest_version k8s.io/kubernetes "^v1\\.${K8S_MINOR}\\.[0-9]+\$")
  [ -n "$K8S_VERSION" ] || die "no v1.$K8S_MINOR.x of k8s.io/kubernetes on the module proxy"
fi
STAGING_VERSION=v0.${K8S_VERSION#v1.}
K8S_MINOR=$(echo "$K8S_VERSION" | cut -d. -f2)
log "k8s.io/kubernetes $K8S_VERSION (staging modules $STAGING_VERSION), $GOV"
step_end

OUT=$CACHE/k8s-$K8S_VERSION
BIN=$OUT/bin
SRC=$OUT/src
mkdir -p "$BIN" "$SRC"

missing=()
for b in $K8S_BINARIES; do [ -x "$BIN/$b" ] || missing+=("$b"); done

if [ ${#missing[@]} -gt 0 ]; then
  step_begin "prepare wrapper module in $SRC"
  sed -e "s/v1\\.34\\.X/$K8S_VERSION/g" -e "s/v0\\.34\\.X/$STAGING_VERSION/g" \
      "$HERE/kubebins/go.mod" >"$SRC/go.mod.new"
  cp "$HERE/kubebins/tools.go" "$SRC/tools.go"
  # Re-derive the staging list from the real k8s.io/kubernetes go.mod; add what the template lacks.
  upstream_mod=$(cd "$SCRATCH" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
  [ -s "$upstream_mod" ] || die "could not download k8s.io/kubernetes@$K8S_VERSION"
  upstream_staging=$(sed -n 's#^[[:space:]]*\(k8s\.io/[A-Za-z0-9._-]*\) => \./staging/src/.*#\1#p' "$upstream_mod" | sort -u)
  log "upstream go.mod maps $(echo "$upstream_staging" | wc -l) staging modules; go directive: $(grep -m1 '^go ' "$upstream_mod")"
  for m in $upstream_staging; do
    if ! grep -qE "^[[:space:]]*$m => " "$SRC/go.mod.new"; then
      log "template lacks staging module $m: adding replace"
      printf 'replace %s => %s %s\n' "$m" "$m" "$STAGING_VERSION" >>"$SRC/go.mod.new"
    fi
  done
  sed -n 's#^[[:space:]]*\(k8s\.io/[A-Za-z0-9._-]*\) => k8s\.io/.*#\1#p' "$SRC/go.mod.new" | while read -r m; do
    echo "$upstream_staging" | grep -qxF "$m" || log "note: template replaces $m, which $K8S_VERSION does not stage (harmless if unused)"
  done
  # Keep a go.mod that tidy already completed; otherwise start from the template.
  if [ ! -f "$SRC/go.mod" ] || ! cmp -s "$SRC/go.mod.new" "$SRC/go.mod.template"; then
    cp "$SRC/go.mod.new" "$SRC/go.mod"; cp "$SRC/go.mod.new" "$SRC/go.mod.template"; rm -f "$SRC/go.sum"
  fi
  rm -f "$SRC/go.mod.new"
  step_end

  step_begin "go mod tidy (downloads the module graph on a cold cache)"
  (cd "$SRC" && timed go mod tidy)
  log "module cache: $(du -sh "$(go env GOMODCACHE)" 2>/dev/null | cut -f1)"
  step_end

  commit=$(cd "$SCRATCH"; go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"Hash": "\([0-9a-f]*\)".*/\1/p' | head -1)
  build_date=$(date -u +'%Y-%m-%dT%H:%M:%SZ')
  LDF="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    LDF="$LDF -X '$pkg.gitVersion=$K8S_VERSION' -X '$pkg.gitMajor=1' -X '$pkg.gitMinor=$K8S_MINOR'"
    LDF="$LDF -X '$pkg.gitTreeState=clean' -X '$pkg.buildDate=$build_date'"
    [ -n "$commit" ] && LDF="$LDF -X '$pkg.gitCommit=$commit'"
  done

  step_begin "build ${missing[*]}"
  for b in "${missing[@]}"; do
    cgo=0
    [ "$b" = kubelet ] && cgo=$KUBELET_CGO
    log "  building $b (CGO_ENABLED=$cgo)"
    (cd "$SRC" && CGO_ENABLED=$cgo timed go build -mod=mod -p "$GO_BUILD_P" -trimpath -tags "$GO_TAGS" \
        -ldflags "$LDF" -o "$BIN/$b" "k8s.io/kubernetes/cmd/$b")
  done
  step_end
fi

step_begin "check $BIN"
set +o pipefail   # `cmd | head -1` may SIGPIPE a binary that prints more (exit 141 otherwise)
for b in $K8S_BINARIES; do
  [ -x "$BIN/$b" ] || die "$b missing"
  case $b in
    kubectl) v=$("$BIN/$b" version --client 2>/dev/null | head -1) ;;
    *) v=$("$BIN/$b" --version 2>/dev/null | head -1) ;;
  esac
  log "  $b: $v ($(du -h "$BIN/$b" | cut -f1))"
done
set -o pipefail
step_end

# ------------------------------------------------------------------ tools --
# install_tool NAME PKG [CGO] [LDFLAGS]: go install PKG@<pinned version> into $CACHE/tools/NAME-<version>/.
# An older layout ($CACHE/tools/bin/NAME) is adopted instead of rebuilt when it is the same version (lib.sh adopt_tool).
install_tool() {
  local name=$1 pkg=$2 cgo=${3:-0} ldflags=${4:-} dir ver
  dir=$(tool_dir "$name"); ver=${dir##*/"$name"-}
  if [ -x "$dir/$name" ]; then log "$name $ver: $dir/$name exists, skipped"; return 0; fi
  adopt_tool "$name" && return 0
  step_begin "go install $pkg@$ver"
  (cd "$SCRATCH" && GOBIN=$dir CGO_ENABLED=$cgo timed go install -trimpath ${ldflags:+-ldflags "$ldflags"} "$pkg@$ver") || { log "FAILED: $name"; step_end; return 1; }
  step_end
}

failed=()
for t in $TOOLS; do
  case $t in
    minio)    install_tool minio github.com/minio/minio || failed+=(minio) ;;
    coredns)  install_tool coredns github.com/coredns/coredns || failed+=(coredns) ;;
    registry) install_tool registry github.com/distribution/distribution/v3/cmd/registry || failed+=(registry) ;;
    helm)     install_tool helm helm.sh/helm/v4/cmd/helm 0 "-X helm.sh/helm/v4/internal/version.version=$HELM_VERSION" || failed+=(helm) ;;
    kwok)     install_tool kwok sigs.k8s.io/kwok/cmd/kwok || failed+=(kwok) ;;
    *) die "unknown tool $t (known: minio coredns registry helm kwok)" ;;
  esac
done

# kwok reads its Stages from a file: take them from the same module version, once.
case " $TOOLS " in
  *" kwok "*) if [ -x "$(tool_bin kwok)" ] && [ ! -s "$(tool_dir kwok)/stages.yaml" ]; then bash "$HERE/kwok.sh" stages || failed+=(kwok-stages); fi ;;
esac

if [ -n "$TOOLS" ]; then
  step_begin "tool versions"
  set +o pipefail   # `cmd | head -1` may SIGPIPE a tool that prints more
  for b in $TOOLS; do
    f=$(tool_bin "$b")
    [ -x "$f" ] || continue
    case $b in
      helm) v=$("$f" version --short 2>&1 | head -1) ;;
      coredns) v=$("$f" -version 2>&1 | head -1) ;;
      *) v=$("$f" --version 2>&1 | head -1) ;;
    esac
    log "  $b: $v ($(du -h "$f" | cut -f1), $f)"
  done
  set -o pipefail
  step_end
fi
log "disk: $(du -sh "$CACHE" | cut -f1) in $CACHE, go build cache $(du -sh "$(go env GOCACHE)" 2>/dev/null | cut -f1)"
log "total $(( $(date +%s) - _RUN_T0 ))s"
[ ${#failed[@]} -eq 0 ] || die "failed: ${failed[*]}"
