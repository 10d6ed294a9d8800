#!/usr/bin/env bash
# The project's test command: builds every module and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
exec ./mvnw -B -ntp verify "$@"
