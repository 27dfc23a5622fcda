#!/usr/bin/env bash
# Runs `terraform validate` on every example, against the provider built from this tree
# (dev_overrides in a private CLI config; nothing is downloaded). Under dev_overrides
# Terraform takes the local build whatever version an example pins; each example that
# declares the provider must still pin one, as users copy them.
#
# The CLI is the terraform on PATH (make puts bin/ first). An example that needs a newer
# Terraform than that one (actions: 1.14; destroy-time action triggers and on_failure:
# 1.16) is skipped with the reason, not failed: OpenTofu and older Terraform do not know
# those blocks.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/bin/terraform-provider-baremetal" .
cat >"$tmp/terraform.rc" <<RC
provider_installation {
  dev_overrides {
    "metalform/baremetal" = "$tmp/bin"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$tmp/terraform.rc" CHECKPOINT_DISABLE=1
cli=$(terraform version -json 2>/dev/null | sed -n 's/^ *"terraform_version": *"\([^"]*\)".*/\1/p')
cli=${cli:-unknown}

# needs prints the Terraform version the example in $1 needs, and what for; nothing when
# any will do. (on_failure counts only beside actions: provisioners have one of their own.)
needs() {
  grep -Eqs '^ *action +"|^[^#]*\<action_trigger *\{' "$1"/*.tf || return 0
  if grep -Eqs '^[^#]*\<(before_destroy|after_destroy|on_failure)\>' "$1"/*.tf; then
    echo "1.16.0 destroy-time action triggers"
  else
    echo "1.14.0 actions"
  fi
}

# older: whether version $1 is older than $2 (an unknown version counts as older).
older() {
  [ "$1" = unknown ] && return 0
  [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1)" = "$1" ]
}

failed=0 skipped=0
for dir in $(find examples -name '*.tf' -printf '%h\n' | sort -u); do
  read -r min what <<<"$(needs "$dir")" || true
  if [ -n "$min" ] && older "$cli" "$min"; then
    echo "examples-check: $dir: skipped: $what need Terraform >= ${min%.0}, the terraform on PATH is $cli"
    skipped=$((skipped + 1))
    continue
  fi
  work="$tmp/work/$dir"
  mkdir -p "$work"
  cp "$dir"/*.tf "$work/"
  if ! grep -q required_providers "$work"/*.tf; then
    printf 'terraform {\n  required_providers {\n    baremetal = { source = "metalform/baremetal" }\n  }\n}\n' >"$work/versions.tf"
  fi
  if grep -q '"metalform/baremetal"' "$dir"/*.tf && ! grep -Eq '^[^#]*version *= *"~> ' "$dir"/*.tf; then
    echo "examples-check: $dir: INVALID"; echo "    declares metalform/baremetal without a version constraint such as version = \"~> 0.1\""; failed=1
  elif out=$(cd "$work" && terraform validate -no-color 2>&1); then
    echo "examples-check: $dir: valid"
  else
    echo "examples-check: $dir: INVALID"; echo "$out" | grep -v '^$' | sed 's/^/    /'; failed=1
  fi
done
if [ "$skipped" -gt 0 ]; then
  echo "examples-check: $skipped example(s) skipped: put a Terraform >= 1.16 first on PATH (make deps builds one into bin/) to check them"
fi
exit $failed
