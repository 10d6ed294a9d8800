#!/usr/bin/env bash
# The project's test command: builds every module and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# The durable tier's tests need a real PostgreSQL: the one given in EDGE_RUNTIME_TEST_JDBC_URL, else
# Testcontainers when a Docker engine answers, else a local cluster from Debian's packages.
if [ -z "${EDGE_RUNTIME_TEST_JDBC_URL:-}" ] && ! timeout 10 docker info >/dev/null 2>&1; then
	# Stopped at the end only when this run started it.
	if ! scripts/dev-postgres.sh status; then
		trap 'scripts/dev-postgres.sh stop' EXIT
	fi
	EDGE_RUNTIME_TEST_JDBC_URL="$(scripts/dev-postgres.sh start)"
	EDGE_RUNTIME_TEST_JDBC_USER="$(scripts/dev-postgres.sh user)"
	EDGE_RUNTIME_TEST_JDBC_PASSWORD="$(scripts/dev-postgres.sh password)"
	export EDGE_RUNTIME_TEST_JDBC_URL EDGE_RUNTIME_TEST_JDBC_USER EDGE_RUNTIME_TEST_JDBC_PASSWORD
fi

./mvnw -B -ntp verify "$@"
