#!/usr/bin/env bash
# Builds the local stack's extra tools from the Go module proxy, cached by version:
#
#   build-tools.sh traefik       Traefik (ingress + Gateway API controller) -> $CACHE/tools/traefik-<v>/traefik
#   build-tools.sh skaffold      skaffold                                    -> $CACHE/tools/skaffold-<v>/skaffold
#   build-tools.sh gateway-crds  Gateway API CRDs (standard channel)         -> $CACHE/tools/gateway-api-<v>/*.yaml
#   build-tools.sh path NAME     print where NAME's binary (or CRD dir) is; no build
#
# `go install` refuses Traefik and skaffold (their go.mod has replace directives), so each has a
# wrapper module in tools/<name>/ that copies the upstream replace/exclude lines and pins the
# command with a `tool` directive. Builds are heavy (Traefik ~11 min, 3.2 GB RSS; skaffold ~15 min
# on 2 cores): they run under `nice`. Idempotent: an existing binary is never rebuilt.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${KUBEVOD_CACHE:-$HOME/.cache/kubevod}
TRAEFIK_VERSION=v3.6.12
SKAFFOLD_VERSION=v2.24.0
GATEWAY_API_VERSION=v1.4.0 # the Gateway API release Traefik 3.6 implements

log() { printf '%s [kubevod:tools] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

export GOTOOLCHAIN=local CGO_ENABLED=0
unset GOFLAGS

# build NAME VERSION PACKAGE LDFLAGS_X [TAGS]
build() {
  local name=$1 version=$2 pkg=$3 xflag=$4 tags=${5:-} out src t0=$SECONDS
  out=$CACHE/tools/$name-$version
  if [ -x "$out/$name" ]; then log "$name $version: cached ($out/$name)"; return 0; fi
  # One build at a time per tool: a second caller waits for the first and then finds the binary.
  mkdir -p "$CACHE/src"
  exec 8>"$CACHE/src/$name-$version.lock"
  if ! flock -n 8; then log "waiting for another build of $name $version"; flock 8; fi
  if [ -x "$out/$name" ]; then log "$name $version: built by the other caller"; return 0; fi
  command -v go >/dev/null || die "go not found (needs Go >= 1.25 and the Go module proxy)"
  src=$CACHE/src/$name-$version
  mkdir -p "$src" "$out"
  cp "$HERE/tools/$name/go.mod" "$HERE/tools/$name/go.sum" "$src/"
  log "building $name $version (nice, log $src/build.log)"
  if ! (cd "$src" && nice -n 10 go build -mod=mod -trimpath ${tags:+-tags "$tags"} \
    -ldflags "-s -w -X $xflag=$version" -o "$out/$name.tmp" "$pkg") >"$src/build.log" 2>&1; then
    tail -30 "$src/build.log" >&2
    die "$name build failed (log $src/build.log)"
  fi
  mv "$out/$name.tmp" "$out/$name"
  log "$name $version built in $((SECONDS - t0))s ($(du -h "$out/$name" | cut -f1))"
}

gateway_crds() {
  local out=$CACHE/tools/gateway-api-$GATEWAY_API_VERSION dir
  if [ -s "$out/.done" ]; then log "Gateway API CRDs $GATEWAY_API_VERSION: cached"; return 0; fi
  mkdir -p "$out" "$CACHE/src"
  dir=$(cd "$CACHE/src" && go mod download -json "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" |
    sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
  [ -d "$dir/config/crd/standard" ] || die "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION has no config/crd/standard"
  cp "$dir"/config/crd/standard/*.yaml "$out/"
  chmod u+w "$out"/*.yaml
  date -Is >"$out/.done"
  log "Gateway API CRDs $GATEWAY_API_VERSION -> $out"
}

case ${1:-} in
  traefik)
    build traefik $TRAEFIK_VERSION github.com/traefik/traefik/v3/cmd/traefik \
      github.com/traefik/traefik/v3/pkg/version.Version ;;
  skaffold)
    build skaffold $SKAFFOLD_VERSION github.com/GoogleContainerTools/skaffold/v2/cmd/skaffold \
      github.com/GoogleContainerTools/skaffold/v2/pkg/skaffold/version.version \
      timetzdata,osusergo,netgo,release ;;
  gateway-crds) gateway_crds ;;
  path)
    case ${2:-} in
      traefik) echo "$CACHE/tools/traefik-$TRAEFIK_VERSION/traefik" ;;
      skaffold) echo "$CACHE/tools/skaffold-$SKAFFOLD_VERSION/skaffold" ;;
      gateway-crds) echo "$CACHE/tools/gateway-api-$GATEWAY_API_VERSION" ;;
      *) die "usage: build-tools.sh path traefik|skaffold|gateway-crds" ;;
    esac ;;
  *) die "usage: build-tools.sh traefik|skaffold|gateway-crds|path NAME" ;;
esac
