#!/usr/bin/env bash
# Re-encrypts the credentials of every example stack (examples/stack-config/*/Pulumi.<env>.yaml)
# from the EXAMPLE-ONLY passphrases and values in test/fixtures/stack-config/example-only/, with
# examples/stack-config/set-secrets.sh. Run it after adding a project or an environment, or to
# rotate the example values:  ./dev.sh run scripts/make-example-stack-secrets.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fixtures="$root/test/fixtures/stack-config/example-only"
for project in "$root"/examples/stack-config/*/; do
  for env in dev staging prod; do
    PULUMI_CONFIG_PASSPHRASE_FILE="$fixtures/$env.passphrase" \
      "$root/examples/stack-config/set-secrets.sh" "${project%/}" "$env" < "$fixtures/$env.secrets"
  done
done
