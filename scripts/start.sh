#!/usr/bin/env bash
# The one run command (`npm start`): installs pnpm and the workspace's packages if missing, builds the
# libraries, then starts the signaling server, the MQTT broker and the demo page in one Node process.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-tools.sh --no-system
echo "[handset] building the libraries"
pnpm --silent run build
exec pnpm --filter @handset/demo start
