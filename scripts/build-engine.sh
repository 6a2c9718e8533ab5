# shellcheck shell=bash
# Sourced by scripts/bootstrap.sh (needs its sw_* helpers). Provides the pinned Pulumi engine:
# the CLI and the Pulumi YAML language host, built with `go build` from the Go module proxy inside
# the tools module parts/pulumi/, then exports PATH and the isolation variables every engine run uses.
#
# Nothing is built when a `pulumi` of the pinned version is already on PATH, or when the cache
# for this version set is complete. A build goes into a temporary directory that is moved into
# place only when every step succeeded, so a failed build never leaves a cache a later run trusts.

# Asks the Go module proxy whether it serves MODULE@VERSION, and names the cause when not.
sw_engine_check_pin() {
	local out
	if ! out="$(cd "$sw_root/parts/pulumi" && go list -m -json "$1@$2" 2>&1)"; then
		sw_fail "step 'check pin $1@$2': the Go module proxy does not serve it: $(printf '%s' "$out" | tail -n 2 | tr '\n' ' ')"
		return 1
	fi
}

sw_engine_build() {
	local target="$1" pulumi_version="$2" yaml_version="$3" tmp
	command -v go >/dev/null || {
		sw_fail "no 'pulumi' v$pulumi_version on PATH and no Go toolchain to build it: install Go >= 1.25, or install Pulumi CLI v$pulumi_version with its YAML language host"
		return 1
	}
	sw_engine_check_pin github.com/pulumi/pulumi/pkg/v3 "v$pulumi_version" || return 1
	sw_engine_check_pin github.com/pulumi/pulumi/sdk/v3 "v$pulumi_version" || return 1
	sw_engine_check_pin github.com/pulumi/pulumi-yaml "v$yaml_version" || return 1
	tmp="$(mktemp -d "$STACKWRIGHT_CACHE/.engine-build.XXXXXX")"
	sw_build_log="$tmp/build.log"
	local started=$SECONDS
	sw_say "engine: first build of the Pulumi engine v$pulumi_version into $target (takes several minutes on 2 cores)"
	if ! sw_build_step "pulumi CLI v$pulumi_version" \
		go build -C "$sw_root/parts/pulumi" -trimpath -o "$tmp/bin/pulumi" \
		-ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$pulumi_version" \
		github.com/pulumi/pulumi/pkg/v3/cmd/pulumi ||
		! sw_build_step "Pulumi YAML language host v$yaml_version" \
			go build -C "$sw_root/parts/pulumi" -trimpath -o "$tmp/bin/pulumi-language-yaml" \
			-ldflags "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=v$yaml_version" \
			github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml; then
		rm -rf "$tmp"
		return 1
	fi
	rm -f "$tmp/build.log"
	mkdir -p "$tmp/pulumi-home"
	printf 'built %s in %ss\n' "$(date -u +%FT%TZ)" "$((SECONDS - started))" >"$tmp/.complete"
	rm -rf "$target"
	mv "$tmp" "$target"
	sw_say "engine: done in $((SECONDS - started))s; $(du -sh "$target" | cut -f1) in $target"
}

sw_ensure_engine() {
	local pulumi_version yaml_version set target
	pulumi_version="$(sw_pin pulumi)" || return 1
	yaml_version="$(sw_pin pulumiYaml)" || return 1
	set="$(sw_pin versionSet)" || return 1
	target="$STACKWRIGHT_CACHE/engine-$set"

	if command -v pulumi >/dev/null && [ "$(pulumi version 2>/dev/null)" = "v$pulumi_version" ] &&
		command -v pulumi-language-yaml >/dev/null; then
		sw_say "engine: using pulumi v$pulumi_version already on PATH ($(command -v pulumi))"
		export PULUMI_HOME="${PULUMI_HOME:-$STACKWRIGHT_CACHE/pulumi-home}"
	elif [ -f "$target/.complete" ]; then
		sw_say "engine: reused cache $target (nothing to build)"
		export PATH="$target/bin:$PATH" PULUMI_HOME="$target/pulumi-home"
	else
		sw_engine_build "$target" "$pulumi_version" "$yaml_version" || return 1
		export PATH="$target/bin:$PATH" PULUMI_HOME="$target/pulumi-home"
	fi
	mkdir -p "$PULUMI_HOME"
	# Every engine run is offline: no update check, no plugin download.
	export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
	sw_say "engine: $(pulumi version) at $(command -v pulumi)"
}

# The Node.js, Python and Go language hosts, for project directories (`runtime: nodejs|python|go`)
# and `pulumi stack init` on them. Built from the tools module parts/pulumi-language-hosts (each host its
# tools.go imports; see there for why that version) into a cache of their own, named after the
# pinned version, beside the engine on PATH. Like the engine, a build goes into a temporary
# directory that is moved into place only when every step succeeded.
sw_ensure_language_hosts() {
	local version target tmp sdk_dir pkg name started module="$sw_root/parts/pulumi-language-hosts"
	version="$(sw_pin languageHosts)" || return 1
	target="$STACKWRIGHT_CACHE/language-hosts-$version"
	if [ ! -f "$target/.complete" ]; then
		command -v go >/dev/null || { sw_fail "no Go toolchain to build the language hosts: install Go >= 1.25"; return 1; }
		# The checksum database does not list the hosts' own modules at the 2025 pseudo-version
		# (see parts/pulumi-language-hosts/tools.go); go.sum pins them. No other module is exempted.
		local nosumdb=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
		nosumdb+=,github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3
		nosumdb+=,github.com/pulumi/pulumi/sdk/go/pulumi-language-go/v3
		nosumdb="${GONOSUMDB:+$GONOSUMDB,}$nosumdb"
		tmp="$(mktemp -d "$STACKWRIGHT_CACHE/.language-hosts-build.XXXXXX")"
		sw_build_log="$tmp/build.log"
		started=$SECONDS
		sw_say "language hosts: first build of the Node.js, Python and Go language hosts $version into $target (a few minutes on 2 cores)"
		for pkg in $(sed -n 's/^[[:space:]]*_ "\(.*\)"$/\1/p' "$module/tools.go"); do
			name="${pkg%/v3}" && name="${name##*/}"
			if ! sw_build_step "$name $version" \
				env GONOSUMDB="$nosumdb" go build -C "$module" -trimpath -o "$tmp/bin/$name" "$pkg"; then
				rm -rf "$tmp"
				return 1
			fi
		done
		# The Python host runs programs through this script, which must sit beside it.
		sdk_dir="$(GONOSUMDB="$nosumdb" go list -C "$module" -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)" &&
			install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$tmp/bin/" ||
			{ rm -rf "$tmp"; sw_fail "step 'language hosts': pulumi-language-python-exec not found in the SDK module"; return 1; }
		if [ ! -x "$tmp/bin/pulumi-language-nodejs" ] || [ ! -x "$tmp/bin/pulumi-language-python" ] || [ ! -x "$tmp/bin/pulumi-language-go" ]; then
			rm -rf "$tmp"
			sw_fail "step 'language hosts': $module/tools.go does not name all three hosts"
			return 1
		fi
		rm -f "$tmp/build.log"
		printf 'built %s in %ss\n' "$(date -u +%FT%TZ)" "$((SECONDS - started))" >"$tmp/.complete"
		rm -rf "$target"
		mv "$tmp" "$target"
		sw_say "language hosts: done in $((SECONDS - started))s; $(du -sh "$target" | cut -f1) in $target"
	fi
	# After the engine's own directory: a CLI's bundled hosts, when it has them, come first.
	# A Python project that names no `virtualenv` runs with $PULUMI_PYTHON_CMD, the bootstrap's
	# virtualenv (both hosts); the 2025 host runs one that names a virtualenv in that virtualenv.
	export PATH="$PATH:$target/bin"
}

sw_ensure_engine && sw_ensure_language_hosts
