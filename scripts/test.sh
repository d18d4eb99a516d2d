#!/usr/bin/env bash
# The one test command: installs what is missing, lints, builds (tsc -b type-checks every package and
# emits ESM + declarations), then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-tools.sh
pnpm run lint
pnpm run build
pnpm exec vitest run "$@"
