#!/usr/bin/env bash
# Try the product on this machine, from a fresh clone, with one command:
#   1. installs the dependencies and builds the extension and the CLI;
#   2. starts a LOCAL SANDBOX Engramia (the contract test server on 127.0.0.1, throwaway keys —
#      not a real Engramia) and a demo workspace with the bundled runbooks and a sample agent;
#   3. runs the Engramia runbook's checks headlessly with the CLI against the sandbox;
#   4. opens the extension in a REAL VS Code (code-server + Debian chromium) and takes a tour:
#      screenshots land in .try/screenshots (or the folder given with --screenshots DIR);
#   5. with --serve (or on an interactive terminal) keeps that VS Code running on 127.0.0.1:PORT
#      (--port, default 8080): open the printed URL in a browser and use the runbooks yourself;
#      Ctrl+C stops everything.
#
# The real VS Code (code-server, the node 24 it runs on, playwright-core) is installed once into
# ~/.cache/runbook-notebooks/vscode (or $RUNBOOK_VSCODE_CACHE), one folder per version. Measured on
# a quiet 2-core machine: a fresh clone with an empty cache 2 min 57 s in all (code-server's install,
# which compiles native modules, 112 s of it), a later run 53 s; under heavy load (load average
# 14-16) the install took 12 min and a cached run 81-89 s.
#
#   bash scripts/try.sh [--serve | --no-serve] [--port PORT] [--screenshots DIR]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
serve=auto; port=8080; shots="$root/.try/screenshots"
usage="usage: bash scripts/try.sh [--serve|--no-serve] [--port PORT (default 8080)] [--screenshots DIR]"
while [ $# -gt 0 ]; do
  case "$1" in
    --serve) serve=yes ;; --no-serve) serve=no ;;
    --port) [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }; port=$2; shift ;;
    --screenshots) [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }; shots=$(realpath -m "$2"); shift ;;
    -h|--help) echo "$usage"; exit 0 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac; shift
done
case "$port" in ''|*[!0-9]*) echo "--port needs a number" >&2; exit 2 ;; esac
started=$SECONDS
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "dependencies and build"
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
node esbuild.mjs

say "a real VS Code (code-server + node 24 from npm, Debian chromium), cached in ~/.cache/runbook-notebooks/vscode"
node test/harness/install.mjs >/dev/null

say "local sandbox Engramia (a test server that follows the Engramia contract — not a real Engramia)"
rm -rf .try/workspace; mkdir -p .try/workspace "$shots"
node --import tsx test/servers/engramia/main.ts --port 0 --version main > .try/sandbox.log 2>&1 &
sandbox=$!
trap 'kill $sandbox 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^URL:' .try/sandbox.log 2>/dev/null && break; sleep 0.1; done
cat .try/sandbox.log
url=$(sed -n 's/^URL: //p' .try/sandbox.log)
key=$(awk '$1=="key" && $2=="admin" {print $3}' .try/sandbox.log)
project=$(sed -n 's#^project: [^/]*/##p' .try/sandbox.log)
[ -n "$url" ] && [ -n "$key" ] || { echo "the sandbox did not start" >&2; exit 1; }

say "demo workspace: .try/workspace"
cp runbooks/engramia-verification-and-rollback.runbook.md .try/workspace/engramia-cutover.runbook.md
cp runbooks/september-engine-rollback.runbook.md .try/workspace/september-rollback.runbook.md
cp -r test/fixtures/workspace/agents_app .try/workspace/
ls -1 .try/workspace

# Non-secret inputs for the demo go in the workspace setting runbook.inputs (a team would commit
# these); the secret key comes from its environment variable (in VS Code it can also be stored
# with "Runbook: Set API Key / Secret…"), never from a file.
mkdir -p .try/workspace/.vscode
printf '{ "runbook.inputs": { "baseUrl": "%s", "projectId": "%s" } }\n' "$url" "$project" > .try/workspace/.vscode/settings.json
export ENGRAMIA_API_KEY="$key"

say "CLI: runbook run (section Data) against the sandbox"
node dist/cli.js run .try/workspace/engramia-cutover.runbook.md --section Data --continue --no-evidence \
  --input baseUrl="$url" --input projectId="$project" || true
say "CLI: runbook analyze on the sample agent"
node dist/cli.js analyze .try/workspace/agents_app || true

say "a real VS Code with the extension: a tour with screenshots in $shots"
RUNBOOK_TOUR_SHOTS="$shots" bash test/harness/vscode.sh --workspace "$root/.try/workspace" \
  --settings "$root/test/ui/tour-settings.json" --drive "$root/test/ui/tour.cjs" "$root" "$root/.try/vscode" || echo "(the tour did not finish; see .try/vscode/logs)"
ls -1 "$shots" 2>/dev/null || true
echo "(tried in $((SECONDS - started)) s)"

if [ "$serve" = yes ] || { [ "$serve" = auto ] && [ -t 0 ]; }; then
  say "interactive VS Code on http://127.0.0.1:$port (another port: --port N)"
  bash test/harness/vscode.sh --serve --port "$port" --workspace "$root/.try/workspace" "$root"
  exit 0
fi
echo; echo "Done. Screenshots: $shots   Re-run with --serve [--port $port] to use the runbooks yourself in a browser."
