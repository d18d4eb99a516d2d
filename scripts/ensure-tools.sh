#!/usr/bin/env bash
# Installs what Handset's tests and demo need on a fresh machine: pnpm (pinned), the workspace's
# packages, and the system programs the tests drive for real (Chromium, mosquitto, redis-server, coturn).
# Idempotent: each step is skipped when its tool is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.21.0
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "[handset] installing pnpm@$PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi

need_apt=()
if [ "${1:-}" != "--no-system" ]; then
  [ -n "${CHROME_PATH:-}" ] || command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
  command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need_apt+=(mosquitto)
  command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
  # TURN relay for the relay-only call tests (and the demo's "Relay only"); tests start their own on 127.0.0.1.
  command -v turnserver >/dev/null 2>&1 || [ -x /usr/bin/turnserver ] || need_apt+=(coturn)
  # adapter-ws's Redis-over-TLS test makes a throwaway certificate with the openssl CLI.
  command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
  # The Handset mosquitto plugin (client id binding, retained and subscription rules) is built from C.
  command -v gcc >/dev/null 2>&1 || need_apt+=(gcc libc6-dev)
  [ -f /usr/include/mosquitto_broker.h ] || need_apt+=(mosquitto-dev)
  [ -f /usr/include/mosquitto.h ] || need_apt+=(libmosquitto-dev)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "[handset] installing Debian packages: ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  # The Debian packages start their services; Handset's tests start their own on free ports.
  for service in mosquitto redis-server coturn; do
    if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl stop "$service" >/dev/null 2>&1 || true; fi
    $SUDO service "$service" stop >/dev/null 2>&1 || true
  done
fi

echo "[handset] installing workspace packages"
pnpm install --frozen-lockfile --reporter=silent

if [ "${1:-}" != "--no-system" ]; then
  # Skipped when it is up to date; the mosquitto tests also build it on demand.
  bash packages/adapter-mqtt/mosquitto/plugin/build.sh
fi
