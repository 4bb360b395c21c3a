#!/bin/sh
# The simulated collector fleet of docker-compose.yml: registers one collector per unit on the shared
# PostgreSQL (the server CLI), writes an agent config with the simulate probe for each, and runs the
# agents until stopped. Environment: ZHUYUN_URL (the proxy), DATABASE_URL, FLEET_UNITS (district
# codes), FLEET_INTERVAL (default 10s). Tokens are issued at each start under new ids (the start
# time in the id: the CLI has no `add --replace`); the previous run's `sim-*` collectors are revoked
# first, so that they show as revoked, not lost.
set -eu
: "${ZHUYUN_URL:?ZHUYUN_URL is required}"
: "${DATABASE_URL:?DATABASE_URL is required}"
UNITS="${FLEET_UNITS:-520102 520103 520111 520112 520113 520115 520121 520122 520123 520181}"
INTERVAL="${FLEET_INTERVAL:-10s}"
DIR="${FLEET_DIR:-/tmp/fleet}"
RUN="$(date +%s)"
mkdir -p "$DIR"

echo "fleet: waiting for $ZHUYUN_URL/readyz"
until node -e "fetch(process.argv[1]+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" "$ZHUYUN_URL"; do sleep 2; done

for old in $(node server/dist/cli.js collector list | awk -F '\t' '$1 ~ /^sim-/ && $4 == "active" { print $1 }'); do
  node server/dist/cli.js collector revoke "$old" >/dev/null && echo "fleet: revoked $old (previous run)"
done

first=1
pids=""
for unit in $UNITS; do
  id="sim-$unit-$RUN"
  platforms=false
  also=""
  # The first collector also runs the platforms, which report figures for every unit.
  if [ "$first" = 1 ]; then platforms=true; first=0; also="*"; fi
  if [ -n "$also" ]; then
    token="$(node server/dist/cli.js collector add "$id" --district "$unit" --units "$also" | tail -n 1)"
  else
    token="$(node server/dist/cli.js collector add "$id" --district "$unit" | tail -n 1)"
  fi
  cat > "$DIR/$id.yaml" <<YAML
server:
  url: $ZHUYUN_URL
  token: $token
collector:
  id: $id
  district: "$unit"
spool:
  dir: $DIR/spool-$id
probes:
  - type: simulate
    name: city
    interval: $INTERVAL
    units: ["$unit"]
    access_nodes: 3
    platforms: $platforms
    fault_rate: 2
YAML
  node collectors/dist/cli.js --config "$DIR/$id.yaml" &
  pids="$pids $!"
  echo "fleet: $id started for $unit"
done

trap 'kill -TERM $pids 2>/dev/null; wait' TERM INT
wait
