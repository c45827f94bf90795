#!/usr/bin/env bash
# The main job on a fresh machine: start skiff's embedded control plane, create the bundled
# example application in it, and list what is running. Run from the repository root after
# `npm ci && npm run build`. State goes to $SKIFF_HOME (default ~/.skiff) and the `skiff`
# context to $KUBECONFIG (default ~/.kube/config); `./dist/skiff cluster down` stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
skiff=./dist/skiff
if [[ ! -x "$skiff" ]]; then
  echo "demo: $skiff is missing; run 'npm run build' first" >&2
  exit 1
fi
"$skiff" cluster up --wait
# The example may already be there from an earlier run: create what is missing, keep the rest.
if ! "$skiff" get rc hello-web >/dev/null 2>&1; then
  "$skiff" create -f examples/hello-web.yaml
fi
"$skiff" get all
