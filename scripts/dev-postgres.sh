#!/usr/bin/env bash
# A local PostgreSQL (with pg_cron preloaded) for the durable tier's tests, from Debian's packages.
#
#   scripts/dev-postgres.sh start   installs the packages when missing, creates the cluster in
#                                   ./.dev-postgres (as root: /tmp/edge-runtime-dev-postgres-<checkout
#                                   hash>) on a free loopback port (the port of its last start when that
#                                   one is free), starts it, waits until it accepts connections and prints
#                                   its JDBC URL
#   scripts/dev-postgres.sh stop    stops it (the cluster and its port stay for the next start)
#   scripts/dev-postgres.sh url     prints the JDBC URL of the running cluster
#   scripts/dev-postgres.sh status  exits 0 when it runs
#   scripts/dev-postgres.sh user|password   prints the user or password (also in the URL)
#
# It also installs the real pgmq extension (pure SQL, version 1.11.1) into the server's extension directory,
# for the test run against it (`edge-runtime-test.pgmq=extension`): Debian has no pgmq package, so its
# files come from the npm registry's @electric-sql/pglite-pgmq package (pgmq's own SQL and control file),
# pinned by checksum. Nothing of it is kept in this repository.
#
# The JDBC URL carries the user and password, so `EDGE_RUNTIME_TEST_JDBC_URL=$(scripts/dev-postgres.sh url)`
# is all a test run needs. initdb and pg_ctl refuse to run as root ("cannot be run as root"): as root, the
# cluster is created and run as the `postgres` system user (created by Debian's package).
set -euo pipefail
cd "$(dirname "$0")/.."

PG_VERSION="${EDGE_RUNTIME_PG_VERSION:-15}"
if [ "$(id -u)" = "0" ]; then
	# PostgreSQL runs as the postgres user, who may not be able to enter this checkout (a clone in a
	# private temporary folder, say): keep the cluster under /tmp, one per checkout.
	DIR="${EDGE_RUNTIME_PG_DIR:-/tmp/edge-runtime-dev-postgres-$(printf '%s' "$PWD" | md5sum | cut -c1-12)}"
else
	DIR="${EDGE_RUNTIME_PG_DIR:-$PWD/.dev-postgres}"
fi
DATA="$DIR/data"
SOCKETS="$DIR/sockets"
DATABASE="edge_runtime_test"
USER_NAME="postgres"
PASSWORD="postgres"
BIN="/usr/lib/postgresql/$PG_VERSION/bin"

log() {
	echo "dev-postgres: $*" >&2
}

as_owner() {
	if [ "$(id -u)" = "0" ]; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

install_packages() {
	local missing=()
	[ -x "$BIN/initdb" ] || missing+=("postgresql-$PG_VERSION")
	[ -f "/usr/share/postgresql/$PG_VERSION/extension/pg_cron.control" ] || missing+=("postgresql-$PG_VERSION-cron")
	if [ "${#missing[@]}" -gt 0 ]; then
		if [ "$(id -u)" != "0" ]; then
			log "missing ${missing[*]}; install them as root (apt-get install ${missing[*]})"
			exit 1
		fi
		log "installing ${missing[*]} from Debian's packages"
		apt-get update -qq >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
	fi
	if [ "$(id -u)" = "0" ] && ! id postgres >/dev/null 2>&1; then
		log "the postgres system user is missing"
		exit 1
	fi
}

PGMQ_PACKAGE_URL="https://registry.npmjs.org/@electric-sql/pglite-pgmq/-/pglite-pgmq-0.0.6.tgz"
PGMQ_PACKAGE_SHA256="f0f15fa7fe83cce940f6fce4b5115da7e68c9118463bf584b5dcc5b95912660b"
PGMQ_VERSION="1.11.1"

download() {
	if command -v curl >/dev/null; then
		curl -fsSL --retry 3 -o "$2" "$1"
	elif command -v wget >/dev/null; then
		wget -q -O "$2" "$1"
	else
		log "neither curl nor wget is installed"
		return 1
	fi
}

install_pgmq() {
	local extension_dir
	extension_dir="$("$BIN/pg_config" --sharedir 2>/dev/null || echo "/usr/share/postgresql/$PG_VERSION")/extension"
	[ -f "$extension_dir/pgmq--$PGMQ_VERSION.sql" ] && return
	if [ "$(id -u)" != "0" ]; then
		log "the pgmq extension is missing from $extension_dir (the pgmq-extension test run will fail); run this script once as root to install it"
		return
	fi
	log "installing the pgmq extension $PGMQ_VERSION into $extension_dir"
	local work
	work="$(mktemp -d)"
	if ! download "$PGMQ_PACKAGE_URL" "$work/package.tgz"; then
		rm -rf "$work"
		log "could not download $PGMQ_PACKAGE_URL"
		exit 1
	fi
	if ! echo "$PGMQ_PACKAGE_SHA256  $work/package.tgz" | sha256sum -c --quiet -; then
		rm -rf "$work"
		log "the pgmq package's checksum does not match"
		exit 1
	fi
	tar xzf "$work/package.tgz" -C "$work"
	tar xzf "$work/package/dist/pgmq.tar.gz" -C "$work"
	install -m 644 "$work"/share/postgresql/extension/pgmq* "$extension_dir/"
	rm -rf "$work"
}

port_in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
	local port attempt
	for attempt in $(seq 1 50); do
		port=$((20000 + RANDOM % 20000))
		if ! port_in_use "$port"; then
			echo "$port"
			return
		fi
	done
	log "found no free port"
	exit 1
}

is_running() {
	[ -f "$DATA/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

port() {
	cat "$DIR/port"
}

url() {
	echo "jdbc:postgresql://127.0.0.1:$(port)/$DATABASE?user=$USER_NAME&password=$PASSWORD"
}

init_cluster() {
	log "creating a cluster in $DATA"
	mkdir -p "$DIR"
	local pwfile="$DIR/pwfile"
	echo "$PASSWORD" >"$pwfile"
	mkdir -p "$DATA" "$SOCKETS"
	if [ "$(id -u)" = "0" ]; then
		chown -R postgres:postgres "$DIR"
	fi
	chmod 700 "$DATA"
	as_owner "$BIN/initdb" -D "$DATA" -U "$USER_NAME" --pwfile="$pwfile" --auth-local=trust \
		--auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
		|| { cat "$DIR/initdb.log" >&2; exit 1; }
	rm -f "$pwfile"
	cat >>"$DATA/postgresql.conf" <<-EOF

		# edge-runtime test cluster
		listen_addresses = '127.0.0.1'
		unix_socket_directories = '$SOCKETS'
		shared_preload_libraries = 'pg_cron'
		cron.database_name = '$DATABASE'
		# jobs run in background workers: pg_cron's own libpq connection would need a password
		cron.use_background_workers = on
		max_connections = 200
		fsync = off
		synchronous_commit = off
		full_page_writes = off
	EOF
}

start() {
	install_packages
	install_pgmq
	if is_running; then
		url
		return
	fi
	[ -f "$DATA/PG_VERSION" ] || init_cluster
	if ! grep -q '^cron.use_background_workers' "$DATA/postgresql.conf"; then
		# a cluster created before this setting existed
		echo "cron.use_background_workers = on" >>"$DATA/postgresql.conf"
	fi
	local port
	# the port of the last start when it is free, so that an application pointed at the cluster reaches it
	# again after a stop and a start (a database outage tried by hand)
	if [ -f "$DIR/port" ] && ! port_in_use "$(port)"; then
		port="$(port)"
	else
		port="$(free_port)"
		echo "$port" >"$DIR/port"
	fi
	log "starting on 127.0.0.1:$port"
	as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DIR/server.log" -o "-p $port" -w -t 60 start >/dev/null \
		|| { tail -n 30 "$DIR/server.log" >&2; exit 1; }
	local attempt
	for attempt in $(seq 1 60); do
		if as_owner "$BIN/pg_isready" -q -h "$SOCKETS" -p "$port"; then
			break
		fi
		sleep 0.5
	done
	if ! as_owner psql -q -h "$SOCKETS" -p "$port" -U "$USER_NAME" -d postgres -tAc \
			"SELECT 1 FROM pg_database WHERE datname = '$DATABASE'" | grep -q 1; then
		as_owner psql -q -h "$SOCKETS" -p "$port" -U "$USER_NAME" -d postgres -c "CREATE DATABASE $DATABASE" >&2
	fi
	url
}

stop() {
	if is_running; then
		as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
		log "stopped"
	fi
}

case "${1:-}" in
	start) start ;;
	stop) stop ;;
	url)
		is_running || { log "not running; run scripts/dev-postgres.sh start"; exit 1; }
		url
		;;
	status) is_running ;;
	user) echo "$USER_NAME" ;;
	password) echo "$PASSWORD" ;;
	*)
		echo "usage: $0 start|stop|url|status|user|password" >&2
		exit 2
		;;
esac
