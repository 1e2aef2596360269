#!/usr/bin/env bash
# A real VS Code for the tests, the benchmarks and the try-it command: see vscode.mjs (--help).
# This wrapper is what @vscode/test-electron runs as its "VS Code executable".
exec node "$(dirname "${BASH_SOURCE[0]}")/vscode.mjs" "$@"
