#!/usr/bin/env bash
# Runs a command on Node 24: `bash tools/with-node-24.sh tsx tools/export-openapi.ts --check`. The npm scripts that run
# the project's code on this machine go through it, so that `npm run spec -- --check` or `npm test` started with an
# older `node` on PATH does not load native addons built for Node 24 (better-sqlite3 crashes under Node 20).
# With Node 24 already first on PATH it changes nothing.
set -euo pipefail
# shellcheck source=tools/use-node-24.sh
source "$(dirname "${BASH_SOURCE[0]}")/use-node-24.sh"
exec "$@"
