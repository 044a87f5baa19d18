#!/usr/bin/env bash
# Issue 17's benchmark: W1 and W3g on a standalone two-worker Spark cluster on 127.0.0.1,
# Tributary on the cluster vs Spark SQL alone on it vs Tributary's local engine, in one run.
#
#   spark/cluster-bench.sh [-Dbench.rows=2000000] [-Dbench.runs=3]
#
# Writes spark/target/cluster-bench.md and prints it. Run it when the machine is quiet.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o -pl spark -am test -Pspark-cluster -Dtest=ClusterBenchIT \
  -Dsurefire.failIfNoSpecifiedTests=false "$@"
cat spark/target/cluster-bench.md
