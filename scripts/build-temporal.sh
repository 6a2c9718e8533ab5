# shellcheck shell=bash
# Sourced by scripts/bootstrap.sh (needs its sw_* helpers); its sw_ensure_temporal runs for the
# commands that run deploy workflows on Temporal. Provides the Temporal CLI, `temporal`, whose
# `temporal server start-dev` is the dev server ($STACKWRIGHT_TEMPORAL_BIN, the binary's path).
# Built once with `go build` from the Go module proxy inside the tools module parts/temporal
# (version in versions.json, every module hash pinned by its go.sum) into a temporary directory
# that is moved into place only when every step succeeded, so a failed build never leaves a cache
# a later run trusts.

# The version is stamped as Temporal's own release build does; unstamped, the CLI calls itself
# 0.0.0-DEV.
sw_build_temporal() {
	local target="$1" version="$2" tmp started=$SECONDS
	tmp="$(mktemp -d "$STACKWRIGHT_CACHE/.temporal-build.XXXXXX")"
	sw_build_log="$tmp/build.log"
	sw_say "temporal: first build of the Temporal CLI v$version into $target (about 6 minutes on 2 cores)"
	if ! sw_build_step "temporal CLI v$version" go build -C "$sw_root/parts/temporal" -trimpath \
		-o "$tmp/bin/temporal" -ldflags "-X github.com/temporalio/cli/temporalcli.Version=$version" \
		github.com/temporalio/cli/cmd/temporal ||
		! sw_build_step "check: temporal --version reports $version" \
			sh -c '"$1" --version | tee /dev/stderr | grep -q -F "version $2 "' sh "$tmp/bin/temporal" "$version"; then
		rm -rf "$tmp"
		return 1
	fi
	rm -f "$tmp/build.log"
	printf 'built %s in %ss\n' "$(date -u +%FT%TZ)" "$((SECONDS - started))" >"$tmp/.complete"
	rm -rf "$target"
	mv "$tmp" "$target"
}

sw_ensure_temporal() {
	local version target
	version="$(sw_pin temporal)" || return 1
	target="$STACKWRIGHT_CACHE/temporal-$version"
	if [ ! -f "$target/.complete" ]; then
		command -v go >/dev/null || { sw_fail "no Go toolchain to build the Temporal CLI: install Go >= 1.25"; return 1; }
		sw_build_temporal "$target" "$version" || return 1
	fi
	export STACKWRIGHT_TEMPORAL_BIN="$target/bin/temporal"
}
