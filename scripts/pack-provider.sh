#!/usr/bin/env bash
# Packs the provider plugin for offline installation:
#   npm run pack:provider [-- OUT-DIR]          (default dist/)
#   pulumi plugin install resource stackwright <version> --file dist/pulumi-resource-stackwright-v<version>.tar.gz
# The archive holds the launcher and the bundled provider (its dependencies, schema.json and
# version inside); it runs wherever node 22 or later is on PATH.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
version="$(node -p 'require("./package.json").version')"
[ -f dist/provider/plugin.js ] || { echo "pack-provider: dist/provider/plugin.js is missing: run npm run build" >&2; exit 1; }
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
cp provider/bin/pulumi-resource-stackwright dist/provider/plugin.js "$staging/"
out="${1:-dist}"
mkdir -p "$out"
archive="$out/pulumi-resource-stackwright-v${version}.tar.gz"
tar -czf "$archive.partial" -C "$staging" pulumi-resource-stackwright plugin.js
mv "$archive.partial" "$archive"
echo "$archive"
