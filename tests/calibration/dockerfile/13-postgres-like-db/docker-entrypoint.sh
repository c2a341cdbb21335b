#!/usr/bin/env bash
# The shape of the official image's entrypoint: on first start, initdb with the
# POSTGRES_* environment and run /docker-entrypoint-initdb.d; then drop to the postgres
# user and exec the server as PID 1.
set -Eeo pipefail
if [ "$1" = 'postgres' ] && [ "$(id -u)" = '0' ]; then
	mkdir -p "$PGDATA" && chown -R postgres "$PGDATA" && chmod 700 "$PGDATA"
	exec gosu postgres "$BASH_SOURCE" "$@"
fi
if [ "$1" = 'postgres' ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
	: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"
	initdb --username="${POSTGRES_USER:-postgres}" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD")
	pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
	for f in /docker-entrypoint-initdb.d/*; do
		case "$f" in
			*.sh)  . "$f" ;;
			*.sql) psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" -f "$f" ;;
		esac
	done
	pg_ctl -D "$PGDATA" -m fast -w stop
	echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
fi
exec "$@"
