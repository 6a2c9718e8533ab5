# shellcheck shell=bash
# Sourced by scripts/bootstrap.sh (needs its sw_* helpers); its sw_ensure_seaweedfs runs for the
# commands that keep Pulumi state in an S3-compatible store. Provides SeaweedFS's `weed`
# (`weed mini` or `weed server -s3` serve S3 on 127.0.0.1; $STACKWRIGHT_WEED_BIN, the binary's
# path). Built once with `go build` from the Go module proxy inside the tools module
# parts/seaweedfs (versions in versions.json, every module hash pinned by its go.sum; go.mod
# repeats SeaweedFS's one replace directive) into a temporary directory that is moved into place
# only when every step succeeded, so a failed build never leaves a cache a later run trusts.

# SeaweedFS is served only as a pseudo-version (pin seaweedfsModule); its version number (pin
# seaweedfs) is in its source, and the commit is stamped as its own Makefile does.
sw_build_seaweedfs() {
	local target="$1" version="$2" module_version="$3" tmp commit started=$SECONDS
	commit="${module_version##*-}"
	tmp="$(mktemp -d "$STACKWRIGHT_CACHE/.seaweedfs-build.XXXXXX")"
	sw_build_log="$tmp/build.log"
	sw_say "seaweedfs: first build of SeaweedFS $version ($commit) into $target (about 5 minutes on 2 cores)"
	if ! sw_build_step "weed $version ($commit)" go build -C "$sw_root/parts/seaweedfs" -trimpath \
		-o "$tmp/bin/weed" -ldflags "-X github.com/seaweedfs/seaweedfs/weed/util/version.COMMIT=$commit" \
		github.com/seaweedfs/seaweedfs/weed ||
		! sw_build_step "check: weed version reports $version $commit" \
			sh -c '"$1" version | tee /dev/stderr | grep -q -F " $2 $3"' sh "$tmp/bin/weed" "$version" "$commit"; then
		rm -rf "$tmp"
		return 1
	fi
	rm -f "$tmp/build.log"
	printf 'built %s in %ss\n' "$(date -u +%FT%TZ)" "$((SECONDS - started))" >"$tmp/.complete"
	rm -rf "$target"
	mv "$tmp" "$target"
}

sw_ensure_seaweedfs() {
	local version module_version target
	version="$(sw_pin seaweedfs)" || return 1
	module_version="$(sw_pin seaweedfsModule)" || return 1
	target="$STACKWRIGHT_CACHE/seaweedfs-$version-${module_version##*-}"
	if [ ! -f "$target/.complete" ]; then
		command -v go >/dev/null || { sw_fail "no Go toolchain to build SeaweedFS: install Go >= 1.25"; return 1; }
		sw_build_seaweedfs "$target" "$version" "$module_version" || return 1
	fi
	export STACKWRIGHT_WEED_BIN="$target/bin/weed"
}
