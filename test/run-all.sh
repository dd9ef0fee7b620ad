#!/usr/bin/env bash
# The README's test command runs this (`npm test`). Tiers, in order; the first failure stops the run:
#   static       typecheck (tsc --noEmit), lint, CRD drift check
#   unit         jest project "unit": pure logic, in-process app boots, real ffmpeg on generated media
#   integration  jest project "integration": a real kube-apiserver (+ controller-manager, scheduler)
#                and real MinIO, brought up by test/setup/global-setup.ts (or reused from KUBECONFIG / S3_ENDPOINT)
#   node         jest project "node": a real node (containerd, kubelet, kube-proxy, CoreDNS, local registry)
#                and kwok's fake nodes, brought up by test/setup/node-global-setup.ts
#   e2e          jest project "e2e": the local stack (images, chart, Traefik behind the Ingress) and real
#                players, brought up by test/e2e/setup.ts (test/stack/stack.sh)
# TIERS="static unit" limits the run. Ends with one "tests: N passed, N failed, N skipped" line.
#
# CI gives a fresh 2-core machine 90 minutes. The e2e tier's own Go builds (Traefik ~11 min and
# skaffold ~15 min cold) start at once in the background at the lowest CPU priority, so it uses the cycles the earlier
# tiers leave idle. If the e2e tier would still start later than KUBEVOD_E2E_LATEST_START minutes
# into the run (default 72: its cold path takes ~12 min more), its tests are reported as SKIPPED
# with the reason, never as passed, and the rest of the run keeps its results.
set -euo pipefail
cd "$(dirname "$0")/.."
node -e 'if (+process.versions.node.split(".")[0] < 24) { console.error("run through npm test (Node 24), not " + process.version); process.exit(1) }'

TIERS=${TIERS:-static unit integration node e2e}
E2E_LATEST_START=${KUBEVOD_E2E_LATEST_START:-72}
RESULTS=$(mktemp -d)
TOOLS_PID=""
cleanup() {
  if [ -n "$TOOLS_PID" ]; then kill -- "-$TOOLS_PID" 2>/dev/null || kill "$TOOLS_PID" 2>/dev/null || true; fi
  rm -rf "$RESULTS"
}
trap cleanup EXIT
t0=$SECONDS
TOOLS_LOG=${HOME}/.local/state/kubevod/logs/e2e-tools-build.log
case " $TIERS " in
  *" e2e "*)
    mkdir -p "$(dirname "$TOOLS_LOG")"
    echo "==> e2e tools (Gateway API CRDs, Traefik, skaffold) building in the background at nice 19: $TOOLS_LOG"
    setsid bash -c 'for t in gateway-crds traefik skaffold; do nice -n 19 bash test/stack/build-tools.sh $t || exit; done' >"$TOOLS_LOG" 2>&1 &
    TOOLS_PID=$! ;;
esac
step() { printf '\n==> %s (%ss elapsed)\n' "$1" "$((SECONDS - t0))"; }

summary() {
  node -e '
    const fs = require("fs"); let p = 0, f = 0, s = 0;
    for (const file of fs.readdirSync(process.argv[1])) {
      const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + file, "utf8"));
      p += r.numPassedTests; f += r.numFailedTests + r.numRuntimeErrorTestSuites; s += r.numPendingTests + r.numTodoTests;
    }
    console.log(`tests: ${p} passed, ${f} failed, ${s} skipped`);
  ' "$RESULTS"
}

run_jest() { # PROJECT
  local rc=0
  npm run -s jest -- --selectProjects "$1" --ci ${RUN_IN_BAND:+--runInBand} --json --outputFile="$RESULTS/$1.json" || rc=$?
  [ -s "$RESULTS/$1.json" ] || { echo "jest wrote no results for $1"; exit 1; }
  if [ $rc -ne 0 ]; then summary; exit $rc; fi
}

for tier in $TIERS; do
  case $tier in
    static)
      step "typecheck"; npm run -s typecheck
      step "lint"; npm run -s lint
      step "CRD drift check"; npm run -s crd:check ;;
    unit)
      step "Debian packages for the tests (ffmpeg, chromium, docker)"; bash test/cluster/cluster.sh packages
      step "unit tests"; run_jest unit ;;
    integration)
      step "control-plane binaries and MinIO (Go module proxy; cached by version)"; bash test/cluster/cluster.sh build controlplane
      step "integration tests (real kube-apiserver + MinIO)"; run_jest integration ;;
    node)
      step "node-tier binaries and kwok (Go module proxy; cached by version)"
      bash test/cluster/cluster.sh build node; bash test/cluster/cluster.sh build kwok
      step "node tests (real node, local registry, CoreDNS, kwok fake nodes)"; run_jest node ;;
    e2e)
      if [ -n "$TOOLS_PID" ]; then
        step "waiting for the e2e tools build"
        rc=0; wait "$TOOLS_PID" || rc=$?; TOOLS_PID=""
        cat "$TOOLS_LOG"
        [ $rc -eq 0 ] || { echo "the e2e tools build failed ($rc): $TOOLS_LOG"; summary; exit 1; }
      fi
      elapsed_min=$(((SECONDS - t0) / 60))
      if [ "$elapsed_min" -gt "$E2E_LATEST_START" ]; then
        export KUBEVOD_E2E_SKIP="the run is ${elapsed_min} min in, past KUBEVOD_E2E_LATEST_START=${E2E_LATEST_START} min: the e2e tier would not finish within CI's 90 minutes"
        step "end to end: SKIPPED, ${KUBEVOD_E2E_SKIP}"
      else
        step "end to end (local stack: images, chart, Traefik, real players)"
      fi
      RUN_IN_BAND=1 run_jest e2e ;;
    *) echo "unknown tier $tier"; exit 2 ;;
  esac
done
printf '\n==> done in %ss\n' "$((SECONDS - t0))"
summary
