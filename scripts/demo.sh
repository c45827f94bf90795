#!/usr/bin/env bash
# The main job on a fresh machine: start skiff's embedded control plane with its simulated
# minions, create the bundled example application from its template (a BuildConfig, an
# ImageStream, a DeploymentConfig, a Service and a Route) in project "demo", follow the build the
# ConfigChange trigger starts, wait for the rollout, and show the pods on the minions, everything
# in the project and `skiff status`. Run from the repository root after `npm ci && npm run build`;
# running it again reuses what is there. Every wait is bounded; any failure exits non-zero.
# State goes to $SKIFF_HOME (default ~/.skiff) and the `skiff` context to $KUBECONFIG (default
# ~/.kube/config); `./dist/skiff cluster down` stops it. $SKIFF_BIN picks another executable.
set -euo pipefail
cd "$(dirname "$0")/.."
skiff=${SKIFF_BIN:-./dist/skiff}
project=demo
app=hello-node
if [[ ! -x "$skiff" ]]; then
  echo "demo: $skiff is missing; run 'npm run build' first" >&2
  exit 1
fi

# Runs a command that may block (a followed log) for at most $1 seconds; 124 when it had to be
# stopped, as timeout(1) reports, which macOS lacks.
bounded() {
  local secs=$1
  shift
  "$@" &
  local pid=$!
  # The watchdog's output goes nowhere so that it never holds a pipe the demo is printing into,
  # and its sleep ends with it.
  (
    trap 'kill "$nap" 2>/dev/null; exit 0' TERM
    sleep "$secs" &
    nap=$!
    wait "$nap"
    kill "$pid"
  ) >/dev/null 2>&1 &
  local dog=$!
  local rc=0
  wait "$pid" || rc=$?
  if kill "$dog" 2>/dev/null; then
    return "$rc"
  fi
  echo "demo: '$*' did not finish within ${secs}s" >&2
  return 124
}

step() { printf '\n==> %s\n' "$*"; }

step "skiff cluster up --wait"
"$skiff" cluster up --wait

if "$skiff" get project "$project" >/dev/null 2>&1; then
  step "skiff project $project"
  "$skiff" project "$project"
else
  step "skiff new-project $project"
  "$skiff" new-project "$project"
fi

step "skiff new-app -f examples/hello-template.json"
if "$skiff" get dc "$app" -n "$project" >/dev/null 2>&1; then
  echo "The application $app is already in project $project."
else
  "$skiff" new-app -f examples/hello-template.json -n "$project"
fi

# The ConfigChange trigger starts build #1 by itself; wait (bounded) until the build config has one.
version=0
for _ in $(seq 1 60); do
  version=$("$skiff" get bc "$app" -n "$project" -o 'jsonpath={.status.lastVersion}')
  [[ "${version:-0}" -gt 0 ]] && break
  sleep 1
done
if [[ "${version:-0}" -eq 0 ]]; then
  echo "demo: no build of bc/$app started within 60s" >&2
  exit 1
fi

step "skiff logs -f bc/$app"
bounded 300 "$skiff" logs -f "bc/$app" -n "$project"
phase=$("$skiff" get build "$app-$version" -n "$project" -o 'jsonpath={.status.phase}')
if [[ "$phase" != Complete ]]; then
  echo "demo: build $app-$version ended $phase" >&2
  exit 1
fi

step "skiff rollout status dc/$app"
"$skiff" rollout status "dc/$app" -n "$project" --timeout=180s

step "skiff get pods -o wide"
"$skiff" get pods -o wide -n "$project"

step "skiff get all"
"$skiff" get all -n "$project"

step "skiff status"
"$skiff" status -n "$project"
