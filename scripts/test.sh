#!/usr/bin/env bash
# The one test command: installs what is missing, type-checks, lints, builds, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-tools.sh
pnpm run typecheck
pnpm run lint
pnpm run build
pnpm exec vitest run "$@"
