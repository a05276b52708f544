#!/usr/bin/env bash
# Test environment for `mvn test`: makes sure that
#   - PostgreSQL answers on 127.0.0.1:5432, trusts local TCP connections, and has database "test";
#   - Redis answers on 127.0.0.1:6379.
# Whatever already answers is left alone (the no-op path takes well under 2 s). Otherwise the
# server (and the client tools) are installed with apt-get when missing, then started. Waits up to
# ~30 s for both, prints one status line each, and exits non-zero with the reason if either fails.
#
# Runs as root in CI (apt-get, pg_ctlcluster, redis-server). Idempotent.
#
# Overrides (defaults are what the parent pom's aegis.test.* properties point at):
#   AEGIS_TEST_PG_PORT=5432  AEGIS_TEST_PG_CLUSTER=main  AEGIS_TEST_REDIS_PORT=6379
#   AEGIS_TEST_ENV_WAIT=30   (seconds to wait for each server)
set -euo pipefail

HOST=127.0.0.1
PG_PORT="${AEGIS_TEST_PG_PORT:-5432}"
PG_CLUSTER="${AEGIS_TEST_PG_CLUSTER:-main}"
PG_DB=test
REDIS_PORT="${AEGIS_TEST_REDIS_PORT:-6379}"
WAIT_SECONDS="${AEGIS_TEST_ENV_WAIT:-30}"
export PGCONNECT_TIMEOUT=3

log() { echo "test-env: $*" >&2; }
die() { echo "test-env: ERROR: $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# apt

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "cannot install $* (no apt-get on this machine)"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "need root to install $* (run as root or install it first)"
    sudo=(sudo -n)
  fi
  log "installing $* with apt-get ..."
  if [ "$APT_UPDATED" -eq 0 ]; then
    ${sudo[@]+"${sudo[@]}"} apt-get update -qq >&2 || die "apt-get update failed"
    APT_UPDATED=1
  fi
  ${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2 \
    || die "apt-get install $* failed"
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL

pg_ready() { pg_isready -h "$HOST" -p "$PG_PORT" -q >/dev/null 2>&1; }

# psql over TCP as postgres, never prompting for a password
pg_sql() { # db sql
  psql -h "$HOST" -p "$PG_PORT" -U postgres -w -d "$1" -X -q -t -A -v ON_ERROR_STOP=1 -c "$2"
}

pg_test_db_ok() { [ "$(pg_sql "$PG_DB" 'select 1' 2>/dev/null)" = 1 ]; }

pg_cluster_field() { # field number of `pg_lsclusters -h` for our cluster (3 = port, 4 = status)
  pg_lsclusters -h 2>/dev/null | awk -v v="$1" -v c="$PG_CLUSTER" -v f="$2" '$1 == v && $2 == c { print $f }'
}

pg_wait_ready() { # seconds
  local deadline=$((SECONDS + $1))
  until pg_ready; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

pg_fail() {
  local logfile="/var/log/postgresql/postgresql-$1-$PG_CLUSTER.log"
  if [ -r "$logfile" ]; then
    echo "--- last lines of $logfile ---" >&2
    tail -n 20 "$logfile" >&2 || true
  fi
  die "PostgreSQL: $2"
}

ensure_pg() {
  if ! pg_isready --version >/dev/null 2>&1 || ! psql --version >/dev/null 2>&1; then
    apt_install postgresql-client
  fi
  if pg_ready && pg_test_db_ok; then
    PG_HOW="already running"
    return
  fi

  if ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
    apt_install postgresql
  fi
  command -v pg_ctlcluster >/dev/null 2>&1 || die "pg_ctlcluster missing (is postgresql-common installed?)"

  local ver
  ver="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1 || true)"
  [ -n "$ver" ] || ver="$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1 || true)"
  [ -n "$ver" ] || die "PostgreSQL server binaries not found after install"
  local conf_dir="/etc/postgresql/$ver/$PG_CLUSTER"

  if [ ! -f "$conf_dir/postgresql.conf" ]; then
    log "creating PostgreSQL $ver cluster '$PG_CLUSTER' on port $PG_PORT"
    pg_createcluster "$ver" "$PG_CLUSTER" -p "$PG_PORT" >/dev/null || die "pg_createcluster $ver $PG_CLUSTER failed"
    PG_NOTES="$PG_NOTES; cluster $ver/$PG_CLUSTER created"
  fi

  # Listen on 127.0.0.1:PG_PORT. Written only when the cluster is on another port, or (below)
  # when it runs but does not answer there.
  local dropin="$conf_dir/conf.d/90-aegis-test-env.conf"
  write_listen_dropin() {
    mkdir -p "$conf_dir/conf.d"
    printf "# written by aegis scripts/test-env.sh\nlisten_addresses = '%s'\nport = %s\n" "$HOST" "$PG_PORT" >"$dropin"
    chown postgres:postgres "$dropin" 2>/dev/null || true
    if ! grep -Eq "^[[:space:]]*include_dir[[:space:]]*=[[:space:]]*'conf\.d'" "$conf_dir/postgresql.conf"; then
      echo "include_dir = 'conf.d'  # added by aegis scripts/test-env.sh" >>"$conf_dir/postgresql.conf"
    fi
  }
  local port status
  port="$(pg_cluster_field "$ver" 3)"
  if [ "$port" != "$PG_PORT" ]; then
    log "cluster $ver/$PG_CLUSTER is configured for port ${port:-?}; setting $PG_PORT"
    write_listen_dropin
    PG_NOTES="$PG_NOTES; port set to $PG_PORT"
    if [ "$(pg_cluster_field "$ver" 4)" = online ]; then
      pg_ctlcluster --skip-systemctl-redirect "$ver" "$PG_CLUSTER" restart || pg_fail "$ver" "restart failed"
    fi
  fi

  status="$(pg_cluster_field "$ver" 4)"
  local first_wait=2 # a running cluster that does not answer at once is misconfigured
  case "$status" in
    online*) PG_HOW="was running" ;;
    *)
      log "starting PostgreSQL $ver/$PG_CLUSTER"
      pg_ctlcluster --skip-systemctl-redirect "$ver" "$PG_CLUSTER" start || pg_fail "$ver" "pg_ctlcluster start failed"
      PG_HOW="started"
      first_wait=10
      ;;
  esac

  if ! pg_wait_ready "$first_wait"; then
    if [ "$(pg_cluster_field "$ver" 4)" = online ] && [ ! -f "$dropin" ]; then
      log "cluster is up but not answering on $HOST:$PG_PORT; setting listen_addresses"
      write_listen_dropin
      PG_NOTES="$PG_NOTES; listen_addresses set"
      pg_ctlcluster --skip-systemctl-redirect "$ver" "$PG_CLUSTER" restart || pg_fail "$ver" "restart failed"
    fi
    pg_wait_ready "$WAIT_SECONDS" || pg_fail "$ver" "not answering on $HOST:$PG_PORT after ${WAIT_SECONDS}s"
  fi

  # Trust local TCP connections: only when a password-less login is actually refused.
  local err
  if ! err="$(pg_sql postgres 'select 1' 2>&1 >/dev/null)"; then
    local hba="$conf_dir/pg_hba.conf"
    if grep -q 'aegis scripts/test-env.sh' "$hba" 2>/dev/null; then
      pg_fail "$ver" "cannot log in as postgres over TCP although $hba trusts it: $err"
    fi
    log "enabling trust auth for $HOST in $hba ($err)"
    local tmp
    tmp="$(mktemp)"
    {
      echo "# added by aegis scripts/test-env.sh (test machines only): trust local TCP"
      echo "host    all             all             127.0.0.1/32            trust"
      echo "host    all             all             ::1/128                 trust"
      cat "$hba"
    } >"$tmp"
    cat "$tmp" >"$hba" # keeps owner and mode
    rm -f "$tmp"
    pg_ctlcluster --skip-systemctl-redirect "$ver" "$PG_CLUSTER" reload || pg_fail "$ver" "reload failed"
    PG_NOTES="$PG_NOTES; trust auth added to pg_hba.conf"
    local deadline=$((SECONDS + 10))
    until err="$(pg_sql postgres 'select 1' 2>&1 >/dev/null)"; do
      [ "$SECONDS" -lt "$deadline" ] || pg_fail "$ver" "still cannot log in as postgres over TCP: $err"
      sleep 0.5
    done
  fi

  if [ "$(pg_sql postgres "select 1 from pg_database where datname = '$PG_DB'")" != 1 ]; then
    log "creating database $PG_DB"
    createdb -h "$HOST" -p "$PG_PORT" -U postgres -w "$PG_DB" || pg_fail "$ver" "createdb $PG_DB failed"
    PG_NOTES="$PG_NOTES; database $PG_DB created"
  fi
  pg_test_db_ok || pg_fail "$ver" "cannot query database $PG_DB"
}

# ---------------------------------------------------------------------------------------------
# Redis

redis_ping() { [ "$(timeout 3 redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

ensure_redis() {
  if ! command -v redis-cli >/dev/null 2>&1; then
    apt_install redis-tools
  fi
  if redis_ping; then
    REDIS_HOW="already running"
    return
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    apt_install redis-server
    if redis_ping; then # the package may have started its own service
      REDIS_HOW="started by the package"
      return
    fi
  fi

  local logdir=/var/log/redis datadir=/var/lib/redis logfile
  logfile="$logdir/ci.log"
  [ "$REDIS_PORT" = 6379 ] || logfile="$logdir/ci-$REDIS_PORT.log"
  mkdir -p "$logdir" "$datadir"
  log "starting redis-server on $HOST:$REDIS_PORT"
  local args=(--daemonize yes --port "$REDIS_PORT" --save "" --appendonly no --dir "$datadir" --logfile "$logfile")
  if ! redis-server "${args[@]}" --bind 127.0.0.1 -::1; then
    # redis before 6.2 does not know the optional "-" bind prefix
    redis-server "${args[@]}" --bind 127.0.0.1 || redis_fail "$logfile" "redis-server failed to start"
  fi
  REDIS_HOW="started"

  local deadline=$((SECONDS + WAIT_SECONDS))
  until redis_ping; do
    [ "$SECONDS" -lt "$deadline" ] || redis_fail "$logfile" "not answering PONG on $HOST:$REDIS_PORT after ${WAIT_SECONDS}s"
    sleep 0.2
  done
}

redis_fail() {
  if [ -r "$1" ]; then
    echo "--- last lines of $1 ---" >&2
    tail -n 20 "$1" >&2 || true
  fi
  die "Redis: $2"
}

# ---------------------------------------------------------------------------------------------

PG_HOW=""
PG_NOTES=""
REDIS_HOW=""
ensure_pg
ensure_redis

pg_version="$(pg_sql "$PG_DB" 'show server_version' 2>/dev/null || echo '?')"
redis_version="$(timeout 3 redis-cli -h "$HOST" -p "$REDIS_PORT" info server 2>/dev/null | tr -d '\r' | sed -n 's/^redis_version://p')"
echo "postgres: OK $HOST:$PG_PORT database $PG_DB, PostgreSQL ${pg_version%% *} ($PG_HOW$PG_NOTES)"
echo "redis:    OK $HOST:$REDIS_PORT, Redis ${redis_version:-?} ($REDIS_HOW)"
