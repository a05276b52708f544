#!/usr/bin/env bash
# Builds the runnable jar (when missing or older than the sources) and starts Aegis on its embedded
# default: embedded PostgreSQL under ./aegis-data, in-process adapters instead of Redis, port 8000.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=launcher/target/aegis.jar
if [ ! -f "$jar" ] || [ -n "$(find pipeline storage verticles launcher -name '*.java' -newer "$jar" -print -quit 2>/dev/null)" ] \
   || [ -n "$(find pipeline storage verticles launcher -path '*/src/main/resources/*' -newer "$jar" -print -quit 2>/dev/null)" ]; then
  mvn -B -ntp -q -DskipTests package
fi
exec java ${AEGIS_JAVA_OPTS:-} -jar "$jar" "$@"
