#!/usr/bin/env bash
# Tributary side by side with Spark, DuckDB and a raw parquet-mr -> Arrow loop (issue #6), plus
# the Parquet read/write benchmark against raw parquet-mr (issue #5).
#
#   ./bench.sh [small|medium|large] [extra Maven -D options]
#
# small: 2M rows (a few minutes on 2 cores); medium: 10M rows; large: 50M rows.
# Writes target/bench/report.md, report.json and report.png and prints the table.
# Options: -Dpeers.systems=tributary,raw-arrow,spark,duckdb  -Dpeers.jfr=true (JFR per system,
# in target/bench/jfr)  -Dpeers.args="-Dpeers.runs=5 -Dpeers.rows=..." (any BenchSpec property).
set -euo pipefail
cd "$(dirname "$0")"
scale="${1:-small}"
shift || true
case "$scale" in
  small|medium|large) ;;
  *) echo "usage: $0 [small|medium|large] [-Dkey=value ...]" >&2; exit 2 ;;
esac
out="$PWD/target/bench"
mkdir -p "$out"
# 1. Build everything, peers included (Spark, DuckDB, JFreeChart come from Maven Central on the
#    first run); each peer module writes its class path to target/classpath.txt. No install.
mvn -B -q -Ppeers -DskipTests package
# 2. Generate the data, run each system in its own JVM, then the report.
mvn -B -q -Pbench -DskipTests verify -pl test -am \
  -Dbench.main=dev.tributary.bench.peers.PeerBench -Dscale="$scale" -Dpeers.out="$out" "$@"
