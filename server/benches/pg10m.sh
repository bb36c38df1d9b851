#!/bin/sh
# Issue 14: ten million events in PostgreSQL — what holds, what does not. Repeatable run.
#
#   server/benches/pg10m.sh [EVENTS]          (from the repository root; EVENTS default 10000000)
#
# PG10M_SCHEMA names the schema of step 3 (default `big`), so a smaller run keeps its own:
# `PG10M_SCHEMA=m3 server/benches/pg10m.sh 3000000` is a store a service that keeps every
# event decoded still starts on (6.4 GB), to see the pages, the append and the refusals.
#
# 1. starts the cluster of /work/pg10m (`/work/pg10m/start.sh`: data in /work/pg10m/data,
#    127.0.0.1:54310; `/work/pg10m/stop.sh` stops it) — PG10M_DIR names another folder with
#    the same two scripts;
# 2. builds 1,000,000 events in schema `m1`, prints the table and index sizes, extrapolates
#    them to EVENTS and stops when the disk's free space would fall under 5 GB; drops `m1`;
# 3. builds EVENTS events in one stream (`synthetic`) in schema `big` with the views bench's
#    streaming builder (`ANNALS_BENCH_BUILD=only`: binary COPY, one transaction per 100,000
#    rows, progress and rate printed; `ANNALS_BENCH_PG_WRITE=insert` for the writer's INSERT,
#    `store` through the store's writer: the baseline),
#    while a loop stops it if the free space falls under 5 GB; prints the sizes. A schema
#    that already holds events is kept (delete it with `DROP SCHEMA big CASCADE`);
# 4. serves it with `annals serve` (this build, or ANNALS_BENCH_BIN=path/to/annals) under a
#    memory watch — killed above ANNALS_BENCH_RSS_LIMIT_MB (default 20000) or when the
#    machine's MemAvailable falls under 1.5 GB, saying where — and measures what needs
#    nothing kept (`ANNALS_BENCH_ONLY=events`): start time and RSS, healthz, plain `events`
#    pages with 16 concurrent readers (p50/p99), one append, and what every view answers with
#    `--kept-max-events` ANNALS_BENCH_KEPT_MAX (default 1000000: refused cleanly).
#
# Everything goes to stdout; `tee` it to keep it.
set -eu
EVENTS=${1:-10000000}
DIR=${PG10M_DIR:-/work/pg10m}
SCHEMA=${PG10M_SCHEMA:-big}
BASE=postgres://postgres@127.0.0.1:${PG10M_PORT:-54310}/annals
PSQL="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/psql"
FLOOR_KB=$((5 * 1024 * 1024))
free_kb() { df -Pk "$DIR" | awk 'NR == 2 { print $4 }'; }
sql() { "$PSQL" "$BASE" -v ON_ERROR_STOP=1 -tAc "$1"; }
url() { echo "$BASE?options=-c%20search_path%3D$1"; }
sizes() {
    sql "SET search_path = $1; SELECT 'events: ' || count(*) || ' rows; table ' || pg_size_pretty(pg_table_size('events'))
        || ', indexes ' || pg_size_pretty(pg_indexes_size('events')) || ', total ' || pg_size_pretty(pg_total_relation_size('events'))
        || ' (' || pg_total_relation_size('events') || ' B)' FROM events"
    sql "SELECT '  ' || indexrelid::regclass || ': ' || pg_size_pretty(pg_relation_size(indexrelid))
        FROM pg_index WHERE indrelid = '$1.events'::regclass ORDER BY 1"
}
bench() { cargo bench -q -p annals-server --bench views; }

"$DIR/start.sh"
echo "disk free: $(($(free_kb) / 1024)) MB"

echo "== 1,000,000 events first (schema m1), to size the run"
sql "DROP SCHEMA IF EXISTS m1 CASCADE; CREATE SCHEMA m1" >/dev/null
ANNALS_BENCH_STORE=$(url m1) ANNALS_BENCH_EVENTS=1000000 ANNALS_BENCH_BUILD=only bench
sizes m1
ONE=$(sql "SELECT pg_total_relation_size('m1.events')")
sql "DROP SCHEMA m1 CASCADE" >/dev/null
sql "CHECKPOINT" >/dev/null
NEED_KB=$((ONE / 1024 * (EVENTS / 1000000)))
echo "extrapolated to $EVENTS events: $((NEED_KB / 1024)) MB; free $(($(free_kb) / 1024)) MB, floor 5120 MB"
if [ $(($(free_kb) - NEED_KB)) -lt $FLOOR_KB ]; then
    echo "stopping: the disk would keep less than 5 GB free"
    exit 1
fi

echo "== $EVENTS events in one stream (schema $SCHEMA)"
sql "CREATE SCHEMA IF NOT EXISTS $SCHEMA" >/dev/null
HELD=0
if [ "$(sql "SELECT to_regclass('$SCHEMA.events') IS NOT NULL")" = t ]; then
    HELD=$(sql "SELECT count(*) FROM $SCHEMA.events")
fi
if [ "$HELD" = 0 ]; then
    ANNALS_BENCH_STORE=$(url "$SCHEMA") ANNALS_BENCH_EVENTS=$EVENTS ANNALS_BENCH_BUILD=only bench &
    BUILD=$!
    while kill -0 $BUILD 2>/dev/null; do
        if [ "$(free_kb)" -lt $FLOOR_KB ]; then
            echo "stopping the build: less than 5 GB free on the disk"
            kill $BUILD
            exit 1
        fi
        sleep 5
    done
    wait $BUILD
else
    echo "schema $SCHEMA already holds $HELD events: kept"
fi
sizes "$SCHEMA"
echo "disk free: $(($(free_kb) / 1024)) MB"

echo "== annals serve on it, under a memory watch"
ANNALS_BENCH_STORE=$(url "$SCHEMA") ANNALS_BENCH_ONLY=events ANNALS_BENCH_KEPT_MAX=${ANNALS_BENCH_KEPT_MAX:-1000000} bench
