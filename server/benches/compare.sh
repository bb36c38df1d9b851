#!/bin/sh
# The read endpoints at a million events: another build of `annals` (the baseline, e.g.
# main's) and this one, one after the other, on the same store, in one run, so every figure
# has its baseline beside it. See views.rs for what is measured.
#
#   server/benches/compare.sh OTHER_ANNALS_BINARY [EVENTS]
#
# The store is built once (ANNALS_BENCH_DB, default /tmp/annals-bench-EVENTS.db) and kept for
# later runs. Both servers run in turn, never together: each holds the record in memory.
set -eu
other=$1
events=${2:-1000000}
db=${ANNALS_BENCH_DB:-/tmp/annals-bench-$events.db}
cd "$(dirname "$0")/../.."
bench() {
    ANNALS_BENCH_DB=$db ANNALS_BENCH_EVENTS=$events cargo bench -q --profile release -p annals-server --bench views
}
echo "== baseline: $other"
ANNALS_BENCH_BIN=$other bench
echo
echo "== this build"
bench
