#!/usr/bin/env bash
# Generates the Python and Go SDKs (sdk/python, sdk/go) from schema.json with Pulumi's own code
# generators, through parts/pulumi/cmd/gen-sdk: `pulumi package gen-sdk` would need the Python and Go
# language plugins, which the Go module proxy here does not serve. Run it after changing
# schema.json (npm run gen:sdk, through ./dev.sh run); a test fails while sdk/ differs from what
# schema.json generates.
#
#   scripts/gen-sdk.sh [OUT-DIR]     default OUT-DIR: sdk/
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/sdk}"
cache="${STACKWRIGHT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stackwright}"
version_set="$(node -p 'require(process.argv[1]).versionSet' "$root/versions.json")"
generator="$cache/tools/gen-sdk-$version_set-$(sha256sum "$root/parts/pulumi/cmd/gen-sdk/main.go" | cut -c1-12)"

if [ ! -x "$generator" ]; then
	echo "gen-sdk: building the generator (once per engine version)" >&2
	mkdir -p "$cache/tools"
	go build -C "$root/parts/pulumi" -trimpath -o "$generator.tmp" ./cmd/gen-sdk
	mv "$generator.tmp" "$generator"
fi
mkdir -p "$out"
"$generator" "$root/schema.json" "$out"
# go.sum pins what the Go SDK's module requires, from the module cache the engine build filled.
(cd "$out/go/stackwright" && go mod tidy)
