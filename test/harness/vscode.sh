#!/usr/bin/env bash
# The project's VS Code launcher for tests and the try-it command: a REAL VS Code (code-server's
# build, from npm) driven headlessly in Debian chromium. It delegates to the shared reference
# launcher (../shared/tools/real-vscode.sh beside the project root), or to $REAL_VSCODE.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
launcher=${REAL_VSCODE:-$here/../../../shared/tools/real-vscode.sh}
if [ ! -f "$launcher" ]; then
  echo "vscode.sh: the real-VS Code launcher was not found at $launcher" >&2
  echo "vscode.sh: put the shared folder beside the project root, or set REAL_VSCODE=/path/to/real-vscode.sh" >&2
  exit 2
fi
exec bash "$launcher" "$@"
