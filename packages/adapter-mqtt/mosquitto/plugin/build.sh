#!/usr/bin/env bash
# Builds the Handset mosquitto plugin into mosquitto/build/ (gitignored). Needs gcc and Debian's
# mosquitto-dev + libmosquitto-dev headers (scripts/ensure-tools.sh installs them). Idempotent.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../build/handset_identity.so"
mkdir -p "$here/../build"
if [ -f "$out" ] && [ "$out" -nt "$here/handset_identity.c" ]; then exit 0; fi
gcc -std=c99 -O2 -Wall -Wextra -Werror -fPIC -shared -o "$out.tmp" "$here/handset_identity.c"
mv "$out.tmp" "$out"
echo "[handset] built $out"
