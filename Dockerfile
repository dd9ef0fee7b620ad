# kubevod images: one target per program.
#
#   api, controller, playback   Node 24 + the app's compiled JavaScript + production node_modules
#   worker                      the same + ffmpeg/ffprobe (only the binaries and the libraries they link)
#   minio                       the embedded object store, from the pinned MinIO binary
#   node-base                   a Node 24 base from a plain Debian image (machines without a registry)
#
# The build context is prepared on the host by `bash test/stack/images.sh prepare`: `nest build`
# output in dist/apps/<app>, and in dist/image/ a production node_modules (npm install --omit=dev,
# pruned), the Node binary and the MinIO binary. Dependencies are installed on the host, not in
# here, because a fresh image does not trust the CA that the npm registry is reached through.
# `bash test/stack/images.sh build` does all of it; see test/stack/README.md.
#
# Every image runs as uid/gid 10001, needs no writable root filesystem (mount an emptyDir on
# /tmp) and carries no compiler, package manager or dev dependency.
# No "# syntax=" line: under BuildKit it would pull a frontend image.

# Node 24 on Debian bookworm. Default: the official image; the local stack passes kubevod/node:24.
ARG BASE_IMAGE=node:24-bookworm-slim
# Plain Debian bookworm for node-base and minio. The local stack passes kubevod/debian:bookworm.
ARG DEBIAN_BASE=debian:bookworm-slim

# ---------------------------------------------------------------- node-base --
FROM ${DEBIAN_BASE} AS node-base
# images.sh stages it mode 0755 (COPY keeps the mode; a chmod here would duplicate the layer).
COPY dist/image/node /usr/local/bin/node
RUN node --version

# ------------------------------------------------------------------ runtime --
FROM ${BASE_IMAGE} AS runtime
# The official image ships npm, npx, corepack and yarn: none is needed to run, so none is kept.
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx \
      /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* \
 && echo 'kubevod:x:10001:10001:kubevod:/nonexistent:/usr/sbin/nologin' >>/etc/passwd \
 && echo 'kubevod:x:10001:' >>/etc/group \
 && node -e 'if (+process.versions.node.split(".")[0] < 24) { console.error("Node 24 needed, base has " + process.version); process.exit(1) }'
ENV NODE_ENV=production \
    TMPDIR=/tmp
WORKDIR /app
# Owned by root and not writable by the app user: the code cannot be changed at run time.
COPY dist/image/node_modules /app/node_modules

# ---------------------------------------------------------------------- api --
FROM runtime AS api
COPY dist/apps/api /app/
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["node", "/app/apps/api/src/main.js"]

# --------------------------------------------------------------- controller --
FROM runtime AS controller
COPY dist/apps/controller /app/
USER 10001:10001
EXPOSE 8081
# A small young generation and V8's optimize-for-size mode: peak RSS 138 MB instead of 203 MB with
# 1,000 Transcodes (apps/controller/bench/README.md). V8 refuses the latter in NODE_OPTIONS.
ENTRYPOINT ["node", "--max-semi-space-size=2", "--optimize-for-size", "/app/apps/controller/src/main.js"]

# ----------------------------------------------------------------- playback --
FROM runtime AS playback
COPY dist/apps/playback /app/
USER 10001:10001
EXPOSE 8082
ENTRYPOINT ["node", "/app/apps/playback/src/main.js"]

# ------------------------------------------------------------------- ffmpeg --
# Debian's ffmpeg package drags in ~560 MB (X11, SDL, Mesa drivers, fonts, docs). The worker needs
# two binaries: keep them and exactly the shared libraries they link (ldd closure), minus what the
# base already has, in /opt/ffmpeg. Same base as the runtime, so the libraries match its glibc.
FROM ${BASE_IMAGE} AS ffmpeg
RUN find / -xdev \( -path /proc -o -path /sys \) -prune -o \( -type f -o -type l \) -print >/tmp/base-files \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg \
 && mkdir -p /opt/ffmpeg/bin /opt/ffmpeg/lib \
 && cp /usr/bin/ffmpeg /usr/bin/ffprobe /opt/ffmpeg/bin/ \
 && for lib in $(ldd /usr/bin/ffmpeg /usr/bin/ffprobe | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u); do \
      real="$(readlink -f "$(dirname "$lib")")/$(basename "$lib")"; \
      grep -qxF -e "$lib" -e "$real" /tmp/base-files || cp -L "$lib" /opt/ffmpeg/lib/; \
    done \
 && du -sh /opt/ffmpeg

# ------------------------------------------------------------------- worker --
FROM runtime AS worker
COPY --from=ffmpeg /opt/ffmpeg /opt/ffmpeg
# LD_LIBRARY_PATH, not ldconfig: some libraries are linked by a name other than their soname
# (libsndio.so.7.0 vs libsndio.so.7), which only a directory search finds. Nothing in /opt/ffmpeg/lib
# shadows a library of the base, so Node is unaffected.
ENV PATH=/opt/ffmpeg/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LD_LIBRARY_PATH=/opt/ffmpeg/lib
USER 10001:10001
# Prove the copied closure is complete: probe, and a real H.264 + AAC encode as the app user.
RUN ffprobe -hide_banner -version >/dev/null \
 && ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc2=size=64x64:rate=10:duration=0.5 \
      -f lavfi -i sine=duration=0.5 -c:v libx264 -c:a aac -f null -
COPY dist/apps/worker /app/
ENTRYPOINT ["node", "/app/apps/worker/src/main.js"]

# -------------------------------------------------------------------- minio --
FROM ${DEBIAN_BASE} AS minio
COPY dist/image/minio /usr/local/bin/minio
RUN echo 'minio:x:10001:10001:minio:/data:/usr/sbin/nologin' >>/etc/passwd \
 && echo 'minio:x:10001:' >>/etc/group \
 && mkdir -p /data && chown 10001:10001 /data \
 && /usr/local/bin/minio --version
# No update checks (there may be no way out) and no browser console.
ENV MINIO_UPDATE=off \
    MINIO_BROWSER=off
USER 10001:10001
WORKDIR /data
EXPOSE 9000
ENTRYPOINT ["/usr/local/bin/minio"]
CMD ["server", "/data", "--address", ":9000"]
