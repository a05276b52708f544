#!/usr/bin/env bash
# Runs the Aegis benchmark suite: hello baseline + gateway allow/deny mixes, one report.
#
#   bench/run.sh [suite options...]        e.g. bench/run.sh --rates 1000,5000 --duration 10
#
# Environment:
#   AEGIS_BENCH_GATEWAY_JAVA  java binary for the gateway and the hello baseline (default: java),
#                             e.g. /usr/lib/jvm/java-25-openjdk-amd64/bin/java to compare JDKs
#   AEGIS_BENCH_SERVER_OPTS   extra JVM options for the gateway and the hello baseline
#   AEGIS_BENCH_JAVA_OPTS     JVM options of the load generator (default below)
#   AEGIS_BENCH_REBUILD=1     rebuild even when both jars exist
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

gateway_jar="$root/launcher/target/aegis.jar"
bench_jar="$root/bench/target/aegis-bench.jar"

if [[ "${AEGIS_BENCH_REBUILD:-0}" == 1 || ! -f "$gateway_jar" || ! -f "$bench_jar" ]]; then
  echo "[bench] building (mvn -q -B -DskipTests package)..." >&2
  mvn -q -B -DskipTests package
fi

# The load generator's heap: a large, pre-touched young generation keeps GC pauses (which would
# be charged to every request queued behind them) rare and short on one pinned core.
java_opts=(${AEGIS_BENCH_JAVA_OPTS:--Xms1g -Xmx1g -Xmn600m -XX:+UseSerialGC -XX:+AlwaysPreTouch})

pin=()
if command -v taskset >/dev/null 2>&1 && [[ "$(nproc --all)" -ge 2 ]]; then
  pin=(taskset -c 1)
else
  echo "[bench] taskset not found or fewer than 2 CPUs: the load generator is not pinned" >&2
fi

export AEGIS_BENCH_COMMAND="bench/run.sh $*"
exec "${pin[@]}" java "${java_opts[@]}" -jar "$bench_jar" suite "$@"
