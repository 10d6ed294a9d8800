#!/usr/bin/env bash
# The project's test command: builds every module and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# The durable tier's tests need a real PostgreSQL: the one given in EDGE_RUNTIME_TEST_JDBC_URL, else
# Testcontainers when a Docker engine answers, else a local cluster from Debian's packages.
if [ -z "${EDGE_RUNTIME_TEST_JDBC_URL:-}" ] && ! timeout 10 docker info >/dev/null 2>&1; then
	EDGE_RUNTIME_TEST_JDBC_URL="$(scripts/dev-postgres.sh start)"
	export EDGE_RUNTIME_TEST_JDBC_URL
	trap 'scripts/dev-postgres.sh stop' EXIT
fi

./mvnw -B -ntp verify "$@"
