#!/usr/bin/env bash
# The project's test command: builds every module and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

# The dashboard's browser tests drive Debian's Chromium through its chromedriver; they fail, never skip,
# without them. Installed here when missing and we may.
if [ ! -x /usr/bin/chromedriver ] || [ ! -x /usr/bin/chromium ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
	else
		echo "Chromium is missing: the dashboard's browser tests will fail. As root: apt-get install -y chromium chromium-driver" >&2
	fi
fi

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
