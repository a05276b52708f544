#!/usr/bin/env bash
# The whole test suite: makes sure PostgreSQL and Redis run locally (installing them with apt when
# missing), then builds every module and runs every test against the real servers.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/test-env.sh
exec mvn -B -ntp verify "$@"
