#!/usr/bin/env bash
# Hotline lookup benchmark: GET /v1/status?customer=ID of `outage serve` on the IEEE 8500-node
# feeder, against a bare Beast server (bench/bare_http_server.cpp) that answers every request with
# a fixed body of the same size as a real answer. Each run measures, with wrk, one after another:
#   (a) the bare server;
#   (b) the daemon, a random customer of the model per request;
#   (c) (b) while `outage-ingest-bench http` posts 10,000 events/s (10 bodies of 1,000 a second).
# Prints the median over runs of requests/s and p99 of each, and the ratios b/a and c/a against
# the goals: (b) >= 60% of (a) with p99 < 5 ms; (c) >= 40% of (a).
#
#   pg_virtualenv -t -v 15 bench/status_bench.sh [--seconds 20] [--runs 3] [--connections 32] [--threads 2]
#
# --threads is wrk's; both servers use their default of 2 I/O threads. Builds nothing: run
#   cmake --build build-bench --target outage outage-ingest-bench bare-http-server
# first. Needs wrk, curl and psql. Environment: BUILD (default build-bench), PORT (default 18480,
# the daemon), BARE_PORT (default 18481), OUTAGE_ADMIN_TOKEN (default: a random one). Logs go to
# $BUILD/status_bench_{daemon,bare,ingest}.log. Fails (exit 1) on any non-2xx answer or socket
# error in wrk's output, or a failed ingest body; a missed goal is reported, not an error.
# Everything started here is stopped on exit (the daemon with SIGTERM: an orderly stop).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-bench}
PORT=${PORT:-18480}
BARE_PORT=${BARE_PORT:-18481}
export OUTAGE_ADMIN_TOKEN=${OUTAGE_ADMIN_TOKEN:-bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')}
MODEL=../shared/data/feeders/ieee8500/Run_RecloserSiting.DSS
SECONDS_PER_RUN=20 RUNS=3 CONNECTIONS=32 WRK_THREADS=2
INGEST_RATE=10000 INGEST_BATCH=1000

while [ $# -gt 0 ]; do
  case $1 in
    --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --threads) WRK_THREADS=$2; shift 2 ;;
    *) echo "usage: $0 [--seconds 20] [--runs 3] [--connections 32] [--threads 2]" >&2; exit 2 ;;
  esac
done

for bin in outage outage-ingest-bench bare-http-server; do
  [ -x "$BUILD/$bin" ] || { echo "$BUILD/$bin is missing: build it first (see the top of $0)" >&2; exit 2; }
done

TMP=$(mktemp -d)
daemon='' bare='' ingest='' wrk_pid=''
stop() {
  for pid in $wrk_pid $ingest $bare; do
    if kill -TERM "$pid" 2>/dev/null; then wait "$pid" 2>/dev/null || true; fi
  done
  if [ -n "$daemon" ] && kill -0 "$daemon" 2>/dev/null; then
    kill -TERM "$daemon"
    local rc=0
    wait "$daemon" || rc=$?
    [ "$rc" = 0 ] || echo "outage serve exited $rc after SIGTERM (log: $BUILD/status_bench_daemon.log)" >&2
  fi
  rm -rf "$TMP"
}
trap stop EXIT

echo "uptime: $(uptime)"
echo "nproc: $(nproc); wrk -t$WRK_THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s; $RUNS runs"

# wait_ready URL PID LOG: until URL answers 2xx (60 s at most), or fail when PID has ended.
wait_ready() {
  for _ in $(seq 1 600); do
    if curl -fsS -H "Authorization: Bearer $OUTAGE_ADMIN_TOKEN" "$1" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$2" 2>/dev/null; then
      echo "$1: the server exited; its log:" >&2
      cat "$3" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "$1: not ready after 60 s" >&2
  exit 1
}

"$BUILD/outage" serve --model "$MODEL" --db "" --listen "127.0.0.1:$PORT" --clock wall \
  >"$BUILD/status_bench_daemon.log" 2>&1 &
daemon=$!
wait_ready "http://127.0.0.1:$PORT/readyz" "$daemon" "$BUILD/status_bench_daemon.log"
echo "outage serve ready on 127.0.0.1:$PORT (pid $daemon)"

# The model's customers (adapters/migrations.cpp: outage.customers), one id a line.
psql -XAtq -c "SELECT id FROM outage.customers ORDER BY ord" >"$TMP/customers.txt"
customers=$(wc -l <"$TMP/customers.txt")
[ "$customers" -gt 0 ] || { echo "outage.customers is empty" >&2; exit 1; }

# A representative answer: the body the bare server sends.
sample=$(shuf -n 1 "$TMP/customers.txt")
code=$(curl -sS -o "$TMP/body.json" -w '%{http_code}' -H "Authorization: Bearer $OUTAGE_ADMIN_TOKEN" \
  --get --data-urlencode "customer=$sample" "http://127.0.0.1:$PORT/v1/status")
[ "$code" = 200 ] || { echo "GET /v1/status?customer=$sample: $code $(cat "$TMP/body.json")" >&2; exit 1; }
echo "$customers customers; the answer for $sample ($(wc -c <"$TMP/body.json") bytes): $(head -c 300 "$TMP/body.json")"

"$BUILD/bare-http-server" --listen "127.0.0.1:$BARE_PORT" --body-file "$TMP/body.json" \
  >"$BUILD/status_bench_bare.log" 2>&1 &
bare=$!
wait_ready "http://127.0.0.1:$BARE_PORT/" "$bare" "$BUILD/status_bench_bare.log"

# wrk: one random customer per request (ids percent-encoded), seeded per thread. The bare server
# gets the same requests, so the client does the same work against both.
cat >"$TMP/status.lua" <<EOF
local ids = {}
for line in io.lines("$TMP/customers.txt") do
  ids[#ids + 1] = line:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end)
end
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init(args)
  math.randomseed(os.time() * 1009 + tid)
end
function request()
  return wrk.format("GET", "/v1/status?customer=" .. ids[math.random(#ids)])
end
EOF

failed=0
# measure NAME PORT: one wrk run; appends "rps p99_ms bytes_per_answer" to $TMP/NAME.
measure() {
  local out="$TMP/wrk.out"
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s "$TMP/status.lua" \
    -H "Authorization: Bearer $OUTAGE_ADMIN_TOKEN" "http://127.0.0.1:$2" >"$out" 2>&1 &
  wrk_pid=$!
  wait "$wrk_pid" || { echo "wrk failed:" >&2; cat "$out" >&2; exit 1; }
  wrk_pid=
  if grep -qE 'Non-2xx|Socket errors' "$out"; then
    echo "($1) ERRORS in wrk's output:" >&2
    cat "$out" >&2
    failed=1
  fi
  awk -v name="$1" '
    function ms(v) {
      if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /m$/) return v * 60000
      return v * 1000  # "s"
    }
    function bytes(v) {
      if (v ~ /KB$/) return v * 1024; if (v ~ /MB$/) return v * 1048576; if (v ~ /GB$/) return v * 1073741824
      return v + 0
    }
    $1 == "99%" { p99 = ms($2) }
    $1 == "Requests/sec:" { rps = $2 }
    $1 == "Transfer/sec:" { tps = bytes($2) }
    / requests in / { n = $1 }
    END {
      if (rps == "" || p99 == "") { print name ": cannot parse wrk output" > "/dev/stderr"; exit 1 }
      printf "%.1f %.3f %.0f\n", rps, p99, tps / rps
    }' "$out" >>"$TMP/$1"
  read -r rps p99 size < <(tail -n 1 "$TMP/$1")
  printf '  (%s) %10.0f req/s  p99 %8.2f ms  ~%s bytes/answer with headers  %s\n' "$1" "$rps" "$p99" "$size" \
    "$(grep -E 'requests in' "$out" | sed 's/^ *//')"
}

ingest_seconds=$((SECONDS_PER_RUN + 3))
for run in $(seq 1 "$RUNS"); do
  echo "run $run ($(date -u +%H:%M:%S) UTC)"
  measure a "$BARE_PORT"
  measure b "$PORT"
  # (c): the ingest posts to a truncated journal; wrk starts once its first rows are in.
  psql -XAtq -c "TRUNCATE outage.journal, outage.dead_letters"
  "$BUILD/outage-ingest-bench" http --url "127.0.0.1:$PORT" --db "" --skip-throughput --rate "$INGEST_RATE" \
    --seconds "$ingest_seconds" --latency-batch "$INGEST_BATCH" --latency-runs 1 \
    >"$BUILD/status_bench_ingest.log" 2>&1 &
  ingest=$!
  for _ in $(seq 1 600); do
    [ "$(psql -XAtq -c 'SELECT count(*) > 0 FROM outage.journal')" = t ] && break
    kill -0 "$ingest" 2>/dev/null || break
    sleep 0.05
  done
  kill -0 "$ingest" 2>/dev/null || { echo "the ingest ended early:" >&2; cat "$BUILD/status_bench_ingest.log" >&2; exit 1; }
  measure c "$PORT"
  if ! kill -0 "$ingest" 2>/dev/null; then
    echo "  warning: the ingest ended before wrk did" >&2
  fi
  status=0
  wait "$ingest" || status=$?
  ingest=
  echo "  ingest during (c): $(grep '^latency run' "$BUILD/status_bench_ingest.log" | sed 's/^latency run 1 //')"
  if [ "$status" != 0 ]; then
    echo "  outage-ingest-bench failed ($status):" >&2
    cat "$BUILD/status_bench_ingest.log" >&2
    failed=1
  fi
done

# The table: medians over runs, ratios of the medians.
awk -v runs="$RUNS" -v conns="$CONNECTIONS" -v threads="$WRK_THREADS" -v secs="$SECONDS_PER_RUN" -v rate="$INGEST_RATE" '
  function median(arr, n,    i, j, t) {
    for (i = 2; i <= n; i++) { t = arr[i]; for (j = i - 1; j >= 1 && arr[j] > t; j--) arr[j + 1] = arr[j]; arr[j + 1] = t }
    return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2
  }
  FNR == 1 { k++ }
  { rps[k, FNR] = $1; p99[k, FNR] = $2; n[k] = FNR }
  END {
    for (s = 1; s <= 3; s++) {
      delete r; delete p
      for (i = 1; i <= n[s]; i++) { r[i] = rps[s, i]; p[i] = p99[s, i] }
      mr[s] = median(r, n[s]); mp[s] = median(p, n[s])
    }
    printf "\nGET /v1/status?customer=ID, wrk -t%d -c%d -d%ds, median of %d runs\n", threads, conns, secs, runs
    printf "| %-52s | %12s | %10s |\n", "", "requests/s", "p99"
    printf "|%s|%s|%s|\n", "------------------------------------------------------", "--------------", "------------"
    printf "| %-52s | %12.0f | %7.2f ms |\n", "(a) bare Beast server, fixed body", mr[1], mp[1]
    printf "| %-52s | %12.0f | %7.2f ms |\n", "(b) outage serve, random customer", mr[2], mp[2]
    printf "| %-52s | %12.0f | %7.2f ms |\n", sprintf("(c) (b) while ingesting %d events/s over HTTP", rate), mr[3], mp[3]
    b = mr[2] / mr[1]; c = mr[3] / mr[1]
    printf "| %-52s | %12.3f | %10s |\n", "b/a (goal >= 0.60, and p99 of (b) < 5 ms)", b,
      (b >= 0.6 && mp[2] < 5) ? "met" : "MISSED"
    printf "| %-52s | %12.3f | %10s |\n", "c/a (goal >= 0.40)", c, (c >= 0.4) ? "met" : "MISSED"
  }' "$TMP/a" "$TMP/b" "$TMP/c"

echo "daemon: peak resident $(awk '/VmHWM/ {print $2 / 1024 " MiB"}' /proc/$daemon/status); $(uptime)"
if [ "$failed" != 0 ]; then
  echo "FAILED: errors above (non-2xx answers, socket errors or failed ingest bodies)" >&2
  exit 1
fi
