#!/usr/bin/env bash
# Builds docgate and the benchmark tool in release mode and runs a scenario against its anchor, in the same run.
#   Benchmarks/run.sh validate [--runs N] [--big-mb M]
#   Benchmarks/run.sh sign [--runs N]          (sign and verify against xmlsec1 and openssl speed)
#   Benchmarks/run.sh revocation [--runs N]    (verify with a CRL against xmlsec1; a 100 000-serial CRL against none)
#   Benchmarks/run.sh gateway [--runs N]       (the daemon: delivery rate, latency, memory)
#   Benchmarks/run.sh console [--runs N]       (delivery with the console open and refreshing, against without it)
#   Benchmarks/run.sh console-pages            (the console's pages over HTTP on 1 000 000 journal entries, p99)
#   Benchmarks/run.sh journal [--runs N]       (SQLite against PostgreSQL, two instances, 1 000 000 finished entries, takeover)
#   Benchmarks/run.sh search                   (the console's journal queries on 1 000 000 entries, SQLite and PostgreSQL)
#   Benchmarks/run.sh hostile [--runs N]       (a hostile inbox: peak RSS, time to deliver beside huge files; idle HTTP connections)
#   Benchmarks/run.sh context                  (rules across documents: 10 000 checks against 10 000 and 100 000)
#   Benchmarks/run.sh generate [--runs N]      (10 000 certificates from one CSV, against xmllint --schema on them)
# Data is generated on first use under $DOCGATE_BENCH_DIR (default /tmp/docgate-bench) and kept between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup
scenario=${1:-validate}
shift || true
swift build -c release --static-swift-stdlib --product docgate
swift build -c release --static-swift-stdlib --product docgate-gateway
(cd Benchmarks && swift build -c release)
work=${DOCGATE_BENCH_DIR:-/tmp/docgate-bench}
mkdir -p "$work"
exec Benchmarks/.build/release/docgate-bench "$scenario" --docgate "$PWD/.build/release/docgate" \
    --schemas "$PWD/Schemas" --work "$work" "$@"
