#!/usr/bin/env bash
# Stackwright's one entry point for a fresh machine. Every command first runs the bootstrap
# (scripts/bootstrap.sh): Node >= 22, npm dependencies, the pinned Pulumi engine, a Python
# virtualenv, PostgreSQL's and bubblewrap's Debian packages — each built once and cached under
# ${XDG_CACHE_HOME:-~/.cache}/stackwright — plus the parts that only some commands need: the
# Kubernetes provider and a local cluster's binaries (every command but cli), the Temporal dev
# server (test, run, bench and cli serve, whose deployments are Temporal workflows), SeaweedFS
# and Debian's headless Chromium for the console's browser tests (test and run).
#
#   ./dev.sh demo        the main job on embedded defaults
#   ./dev.sh test        lint, type-check and every test, against the real engine
#   ./dev.sh bench       the benchmarks
#   ./dev.sh cluster     a local Kubernetes API server with the PKO CRDs, until Ctrl-C
#   ./dev.sh cli ARGS... the stackwright command, freshly built (e.g. ./dev.sh cli serve)
#   ./dev.sh run CMD...  any command with the bootstrapped toolchain first on PATH
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=scripts/bootstrap.sh
source scripts/bootstrap.sh

case "${1:-}" in
test | run) sw_bootstrap kubernetes temporal seaweedfs browser ;;
bench) sw_bootstrap kubernetes temporal ;;
demo | cluster) sw_bootstrap kubernetes ;;
cli) if [ "${2:-}" = serve ]; then sw_bootstrap temporal; else sw_bootstrap; fi ;;
*) sw_bootstrap ;;
esac

case "${1:-}" in
demo)
	npm run --silent build
	exec node dist/scripts/demo.js
	;;
cluster)
	npm run --silent build
	exec node dist/scripts/cluster.js
	;;
test) exec npm test ;;
bench) exec npm run --silent bench ;;
cli)
	shift
	npm run --silent build
	exec node dist/src/cli/stackwright.js "$@"
	;;
run)
	shift
	exec "$@"
	;;
*)
	echo "usage: ./dev.sh demo | test | bench | cluster | cli ARGS... | run CMD..." >&2
	exit 64
	;;
esac
