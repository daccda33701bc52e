#!/usr/bin/env bash
# Throw-away PostgreSQL and Redis on loopback for the test suite. Source this file, then call
# start_services; stop_services runs on exit (set by start_services), even when tests fail.
# PostgreSQL refuses to run as root, so it runs as the `postgres` system user.

free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

start_services() {
  SERVICES_DIR=$(mktemp -d /tmp/tertulia-services.XXXXXX)
  chmod 755 "$SERVICES_DIR"
  trap stop_services EXIT
  local pg_bin
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  PG_BIN=$pg_bin
  local pg_user=postgres
  [ "$(id -u)" -eq 0 ] || pg_user=$(id -un)
  PG_PORT=$(free_port)
  mkdir -p "$SERVICES_DIR/pg"
  [ "$(id -u)" -eq 0 ] && chown "$pg_user": "$SERVICES_DIR/pg"
  as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  as_pg "$PG_BIN/initdb" -D "$SERVICES_DIR/pg/data" -U tertulia --auth=trust -E UTF8 \
    --no-locale --no-sync >"$SERVICES_DIR/pg-init.log" 2>&1
  as_pg "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg/data" -l "$SERVICES_DIR/pg/log" -w -o \
    "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $SERVICES_DIR/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  export TERTULIA_TEST_POSTGRES_URL="postgres://tertulia@127.0.0.1:$PG_PORT/tertulia"
  as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U tertulia tertulia

  REDIS_PORT=$(free_port)
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$SERVICES_DIR" --save '' \
    --appendonly no --daemonize yes --pidfile "$SERVICES_DIR/redis.pid" \
    --logfile "$SERVICES_DIR/redis.log"
  for _ in $(seq 100); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done
  export TERTULIA_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
  echo "services: PostgreSQL on $PG_PORT, Redis on $REDIS_PORT ($SERVICES_DIR)"
}

stop_services() {
  [ -n "${SERVICES_DIR:-}" ] || return 0
  if [ -f "$SERVICES_DIR/redis.pid" ]; then kill "$(cat "$SERVICES_DIR/redis.pid")" 2>/dev/null || true; fi
  if [ -d "$SERVICES_DIR/pg/data" ]; then
    if [ "$(id -u)" -eq 0 ]; then
      runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
    else
      "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
  fi
  rm -rf "$SERVICES_DIR"
  SERVICES_DIR=
}
