#!/usr/bin/env bash
# Encrypts one stack's credentials into its stack file (Pulumi.<stack>.yaml) with the passphrase
# secrets provider: the file gets its own encryptionsalt (kept when it already has one) and one
# `secure:` value per key. Nothing else in the file changes.
#
#   PULUMI_CONFIG_PASSPHRASE_FILE=<that stack's passphrase file> \
#     ./set-secrets.sh <project-dir> <stack> < <file of config-key=value lines>
#
# PULUMI_CONFIG_PASSPHRASE works too. Values are read from standard input, one `key=value` per line
# (`#` comments and blank lines skipped), and reach the engine on its standard input: never as
# arguments, never printed. The stack file is replaced only when every value is in.
set -euo pipefail

die() { echo "set-secrets: $*" >&2; exit 1; }
# The engine's error line out of its output (which may also hold warnings): one line for die.
engine_error() { grep -m1 '^error:' <<<"$1" || head -n1 <<<"$1"; }

[ $# -eq 2 ] || die "usage: set-secrets.sh <project-dir> <stack> < secrets (config-key=value lines)"
project_dir="$1"
stack="$2"
[ -f "$project_dir/Pulumi.yaml" ] || die "<project-dir>: $project_dir has no Pulumi.yaml"
[[ "$stack" =~ ^[A-Za-z0-9_.-]+$ ]] || die "<stack>: '$stack' is not a stack name (letters, digits, _ . -)"
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  die "PULUMI_CONFIG_PASSPHRASE_FILE: is required (or PULUMI_CONFIG_PASSPHRASE): the passphrase of stack '$stack'"
fi
if [ -n "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ] && [ ! -r "$PULUMI_CONFIG_PASSPHRASE_FILE" ]; then
  die "PULUMI_CONFIG_PASSPHRASE_FILE: cannot read $PULUMI_CONFIG_PASSPHRASE_FILE"
fi
command -v pulumi >/dev/null || die "pulumi: not on PATH (run through ./dev.sh run)"

# The stack is created on a throwaway file backend: only the stack file is kept.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$project_dir/Pulumi.yaml" "$work/"
stack_file="Pulumi.$stack.yaml"
[ ! -f "$project_dir/$stack_file" ] || cp "$project_dir/$stack_file" "$work/"
mkdir "$work/state"
export PULUMI_BACKEND_URL="file://$work/state" PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true PULUMI_HOME="${PULUMI_HOME:-$work/home}"

if ! init_error="$(cd "$work" && pulumi stack init "$stack" --secrets-provider passphrase --non-interactive 2>&1 >/dev/null)"; then
  die "stack '$stack': pulumi stack init failed: $(engine_error "$init_error")"
fi

line_number=0
count=0
while IFS= read -r line || [ -n "$line" ]; do
  line_number=$((line_number + 1))
  [[ -z "${line//[[:space:]]/}" || "$line" =~ ^[[:space:]]*# ]] && continue
  [[ "$line" == *=* ]] || die "standard input, line $line_number: expected config-key=value"
  key="${line%%=*}"
  value="${line#*=}"
  [[ "$key" =~ ^[A-Za-z][A-Za-z0-9_-]*:[A-Za-z][A-Za-z0-9_-]*$ ]] ||
    die "standard input, line $line_number: '$key' is not a namespaced config key (namespace:name)"
  [ -n "$value" ] || die "standard input, line $line_number: $key has an empty value"
  if ! set_error="$(cd "$work" && printf %s "$value" | pulumi config set --secret --stack "$stack" --non-interactive -- "$key" 2>&1 >/dev/null)"; then
    die "$key: pulumi config set failed: $(engine_error "$set_error")"
  fi
  count=$((count + 1))
done
[ "$count" -gt 0 ] || die "standard input: no config-key=value lines"

cp "$work/$stack_file" "$project_dir/$stack_file.partial"
mv "$project_dir/$stack_file.partial" "$project_dir/$stack_file"
echo "set-secrets: $count secret(s) encrypted into $project_dir/$stack_file"
