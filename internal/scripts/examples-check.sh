#!/usr/bin/env bash
# Runs `terraform validate` on every example, against the provider built from this tree
# (dev_overrides in a private CLI config; nothing is downloaded). Under dev_overrides
# Terraform takes the local build whatever version an example pins; each example that
# declares the provider must still pin one, as users copy them.
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
failed=0
for dir in $(find examples -name '*.tf' -printf '%h\n' | sort -u); do
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
exit $failed
