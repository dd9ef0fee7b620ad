#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Container images without a registry, built with Debian's docker engine (docker.io 20.10).
#
#   images.sh dockerd        start dockerd in the background if no engine answers (pid + log under $STATE)
#   images.sh debian         kubevod/debian:bookworm: debootstrap --variant=minbase + docker import
#   images.sh minio          kubevod/minio:$MINIO_VERSION from the pinned MinIO binary on that base, non-root
#   images.sh push debian    kubevod/debian:bookworm tagged and pushed as localhost:5000/kubevod/debian:bookworm
#                            (the node tier's registry must run)
#   images.sh name minio     print the MinIO image reference (no build)
#
# Each build is skipped when the image already exists. Logs go to stderr; the image reference
# (for `debian` / `minio`) is the only line on stdout, so callers can capture it.
# Always uses Debian's client /usr/bin/docker (another docker client on PATH may lack buildx).
set -euo pipefail
SCRIPT_NAME=images
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
ROOT=$(cd "$HERE/../.." && pwd)

DOCKER=${DOCKER:-/usr/bin/docker}
DEBIAN_DOCKER_IMAGE=kubevod/debian:bookworm
MINIO_DOCKER_IMAGE=kubevod/minio:$MINIO_VERSION
DOCKERD_TIMEOUT=${DOCKERD_TIMEOUT:-60}

docker_ok() { [ -x "$DOCKER" ] && "$DOCKER" info >/dev/null 2>&1; }
image_exists() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

ensure_dockerd() {
  docker_ok && return 0
  step_begin "docker engine"
  ensure_packages $PKGS_IMAGES
  [ -x "$DOCKER" ] || die "$DOCKER missing after installing docker.io"
  if daemon_alive dockerd; then
    log "dockerd (pid $(cat "$PIDS/dockerd.pid")) is running but not answering yet"
  else
    require_root
    have dockerd || die "dockerd not found (Debian package docker.io)"
    # dockerd starts its own containerd (under /var/run/docker); the cluster's containerd has its own socket.
    # --ip=127.0.0.1: ports that containers publish (testcontainers maps MinIO's) bind to loopback only
    start_daemon dockerd "$(command -v dockerd)" --ip=127.0.0.1
  fi
  wait_for "dockerd" "$DOCKERD_TIMEOUT" docker_ok || { tail -30 "$LOGS/dockerd.log" >&2; die "dockerd did not answer within ${DOCKERD_TIMEOUT}s (log $LOGS/dockerd.log)"; }
  log "docker $("$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null)"
  step_end
}

build_debian() {
  ensure_dockerd
  if image_exists "$DEBIAN_DOCKER_IMAGE"; then log "$DEBIAN_DOCKER_IMAGE exists, skipped"; return 0; fi
  step_begin "image $DEBIAN_DOCKER_IMAGE"
  mkdir -p "$IMAGES_DIR"
  local tar=$IMAGES_DIR/debian-bookworm-rootfs.tar d
  if [ ! -s "$tar" ]; then
    ensure_packages debootstrap
    d=$(mktemp -d "$IMAGES_DIR/.debian.XXXXXX")
    log "debootstrap --variant=minbase bookworm from $(debian_mirror) (log $d.log)"
    if ! debootstrap --variant=minbase bookworm "$d/rootfs" "$(debian_mirror)" >"$d.log" 2>&1; then
      tail -20 "$d.log" >&2; rm -rf "$d"; die "debootstrap failed (log $d.log)"
    fi
    # same apt source as the host, no cached package lists or .debs in the image
    rm -rf "$d/rootfs/var/lib/apt/lists/"* "$d/rootfs/var/cache/apt/archives/"*.deb
    tar --numeric-owner -C "$d/rootfs" --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -cf "$tar.tmp" .
    mv "$tar.tmp" "$tar"
    rm -rf "$d" "$d.log"
  else
    log "reusing cached rootfs $tar"
  fi
  "$DOCKER" import --change 'CMD ["/bin/bash"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    - "$DEBIAN_DOCKER_IMAGE" <"$tar" >/dev/null
  log "$DEBIAN_DOCKER_IMAGE: $("$DOCKER" image inspect -f '{{.Size}}' "$DEBIAN_DOCKER_IMAGE" | awk '{printf "%d MB", $1/1e6}')"
  step_end
}

build_minio() {
  local bin ctx
  bin=$(tool_bin minio)
  adopt_tool minio || true
  [ -x "$bin" ] || die "$bin is missing: run 'bash test/cluster/cluster.sh build controlplane' (go install of MinIO, ~6 min cold)"
  ensure_dockerd
  if image_exists "$MINIO_DOCKER_IMAGE"; then log "$MINIO_DOCKER_IMAGE exists, skipped"; return 0; fi
  build_debian
  step_begin "image $MINIO_DOCKER_IMAGE"
  ctx=$(mktemp -d "${TMPDIR:-/tmp}/kubevod-minio.XXXXXX")
  cp "$ROOT/test/images/minio/Dockerfile" "$ctx/Dockerfile"
  ln "$bin" "$ctx/minio" 2>/dev/null || cp "$bin" "$ctx/minio"
  DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-1} "$DOCKER" build --quiet --build-arg "MINIO_VERSION=$MINIO_VERSION" \
    --label kubevod.image=minio -t "$MINIO_DOCKER_IMAGE" "$ctx" >&2 || { rm -rf "$ctx"; die "docker build of $MINIO_DOCKER_IMAGE failed"; }
  rm -rf "$ctx"
  [ "$("$DOCKER" image inspect -f '{{.Config.User}}' "$MINIO_DOCKER_IMAGE")" = 10001:10001 ] || die "$MINIO_DOCKER_IMAGE does not run as 10001"
  log "$MINIO_DOCKER_IMAGE: $("$DOCKER" image inspect -f '{{.Size}}' "$MINIO_DOCKER_IMAGE" | awk '{printf "%d MB", $1/1e6}')"
  step_end
}

# push_image debian: the local image tagged $LOCAL_REGISTRY/<name> and pushed to the node tier's
# registry, so pods pull it the way they would from any registry (imagePullPolicy Always works).
push_image() {
  local src dst
  case ${1:-} in
    debian) build_debian; src=$DEBIAN_DOCKER_IMAGE ;;
    *) die "usage: images.sh push debian" ;;
  esac
  curl -fsS --max-time 3 "http://$REGISTRY_ADDR/v2/" >/dev/null || die "no registry on $REGISTRY_ADDR: run 'bash test/cluster/cluster.sh up node'"
  dst=$LOCAL_REGISTRY/$src
  "$DOCKER" tag "$src" "$dst"
  "$DOCKER" push "$dst" >/dev/null || die "docker push $dst failed"
  log "pushed $dst ($("$DOCKER" image inspect -f '{{index .RepoDigests 0}}' "$dst" 2>/dev/null))"
}

mkdir -p "$STATE" "$LOGS" "$PIDS"
case ${1:-} in
  dockerd) ensure_dockerd ;;
  debian) build_debian; echo "$DEBIAN_DOCKER_IMAGE" ;;
  push) push_image "${2:-}"; echo "$LOCAL_REGISTRY/$DEBIAN_DOCKER_IMAGE" ;;
  minio) build_minio; echo "$MINIO_DOCKER_IMAGE" ;;
  name)
    case ${2:-} in
      minio) echo "$MINIO_DOCKER_IMAGE" ;;
      debian) echo "$DEBIAN_DOCKER_IMAGE" ;;
      *) die "usage: images.sh name minio|debian" ;;
    esac ;;
  *) die "usage: images.sh dockerd|debian|minio|push debian|name <image>" ;;
esac
