#!/usr/bin/env bash
# The one run command (`npm start`): installs pnpm and the workspace's packages if missing, builds the
# libraries, then starts the signaling server, the MQTT broker and the demo page in one Node process.
# Arguments go to the demo (`npm start -- --lan` exposes it to the network); HANDSET_SKIP_BUILD=1 skips
# the install and build steps (start again at once after a build).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${HANDSET_SKIP_BUILD:-}" != 1 ]; then
  bash scripts/ensure-tools.sh --no-system
  echo "[handset] building the libraries"
  pnpm --silent run build
fi
# exec all the way down (package.json's `exec bash scripts/start.sh` too): `npm start` forwards SIGTERM
# to its one child, which must be the server itself; pnpm and tsx's own child process would stand in
# between and not pass it on, leaving the server running.
cd packages/demo
exec node --import tsx server/dev.ts "$@"
