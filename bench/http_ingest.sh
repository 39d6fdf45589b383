#!/usr/bin/env bash
# Durable HTTP ingest benchmark (issue 3): starts `outage serve` on the IEEE 8500-node feeder
# against the database of the PG* environment, waits until it is ready, and runs
# `outage-ingest-bench http` against it (COPY baseline, throughput, acknowledgement latency).
#
#   pg_virtualenv -t -v 15 bench/http_ingest.sh [outage-ingest-bench http options]
#
# Environment: BUILD (default build-bench), PORT (default 18480), OUTAGE_ADMIN_TOKEN (default: a
# random one). The daemon's log goes to $BUILD/http_ingest_daemon.log. The daemon gets SIGTERM at
# the end (orderly stop).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-bench}
PORT=${PORT:-18480}
export OUTAGE_ADMIN_TOKEN=${OUTAGE_ADMIN_TOKEN:-bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')}
MODEL=../shared/data/feeders/ieee8500/Run_RecloserSiting.DSS
LOG=$BUILD/http_ingest_daemon.log

"$BUILD/outage" serve --model "$MODEL" --db "" --listen "127.0.0.1:$PORT" --clock wall >"$LOG" 2>&1 &
daemon=$!
stop() {
  if kill -0 "$daemon" 2>/dev/null; then
    kill -TERM "$daemon"
    wait "$daemon" || true
  fi
}
trap stop EXIT

for _ in $(seq 1 600); do
  if curl -fsS -H "Authorization: Bearer $OUTAGE_ADMIN_TOKEN" "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; then
    break
  fi
  if ! kill -0 "$daemon" 2>/dev/null; then
    echo "outage serve exited; its log:" >&2
    cat "$LOG" >&2
    exit 1
  fi
  sleep 0.1
done
echo "outage serve ready on 127.0.0.1:$PORT (pid $daemon); $(uptime)"
status=0
"$BUILD/outage-ingest-bench" http --url "127.0.0.1:$PORT" --db "" "$@" || status=$?
echo "daemon: peak resident $(grep VmHWM /proc/$daemon/status | awk '{print $2/1024 " MiB"}'); $(uptime)"
exit $status
