#!/usr/bin/env bash
# docker-compose.yml, both the default services and the "scale" profile, checked against the
# Compose file schema by `docker-compose config` (the Python docker-compose 1.29 from PyPI: no
# Docker daemon is needed to validate, and this machine has none).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${PARKLAND_COMPOSE_VENV:-/tmp/parkland-compose-venv}"
if [ ! -x "$VENV/bin/docker-compose" ]; then
  python3 -m venv "$VENV"
  # 1.29.2 pins PyYAML 5, which no longer builds; its other requirements, with PyYAML 6.
  "$VENV/bin/pip" install -q pyyaml==6.0.2 "jsonschema<4" docopt "python-dotenv<1" texttable \
    requests "docker<7" distro dockerpty websocket-client "setuptools<70"
  "$VENV/bin/pip" install -q --no-deps docker-compose==1.29.2
fi
"$VENV/bin/docker-compose" -f docker-compose.yml config -q
"$VENV/bin/docker-compose" -f docker-compose.yml --profile scale config -q
services="$("$VENV/bin/docker-compose" -f docker-compose.yml --profile scale config --services | sort | tr '\n' ' ')"
[ "$services" = "db db-replica parkland parkland-1 parkland-2 proxy " ] || {
  echo "unexpected services: $services" >&2
  exit 1
}
echo "docker-compose.yml is valid, with and without the scale profile"
