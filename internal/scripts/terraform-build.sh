#!/usr/bin/env bash
# Builds Terraform from its module source on the Go module proxy into bin/terraform, for the
# acceptance suite's main run (actions, list resources and query need Terraform 1.14 or later).
# `go install github.com/hashicorp/terraform@vX` is refused: its go.mod replaces ten nested
# modules (nine remote-state backends and internal/legacy) that the module zip does not hold.
# Only internal/backend/init imports those backends, so a copy of the source without them
# builds; the local, http, inmem, remote and cloud backends stay. About three minutes on two
# cores, once. Terraform after 1.5.7 is BUSL-1.1: built here to test against, never shipped.
set -euo pipefail
version=${1:?usage: terraform-build.sh VERSION OUT}
out=${2:?usage: terraform-build.sh VERSION OUT}
src=$(GOFLAGS= go mod download -json "github.com/hashicorp/terraform@v$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -n "$src" ] || { echo "terraform-build: go mod download found no source for Terraform v$version" >&2; exit 1; }
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -r "$src/." "$work/"
chmod -R u+w "$work"
cd "$work"
dropped=(azure consul cos gcs kubernetes oss pg s3 oci)
init=internal/backend/init/init.go
for b in "${dropped[@]}"; do
  sed -i "\#\"github.com/hashicorp/terraform/internal/backend/remote-state/$b\"#d" "$init"
  go mod edit -droprequire="github.com/hashicorp/terraform/internal/backend/remote-state/$b" \
    -dropreplace="github.com/hashicorp/terraform/internal/backend/remote-state/$b"
done
go mod edit -droprequire=github.com/hashicorp/terraform/internal/legacy -dropreplace=github.com/hashicorp/terraform/internal/legacy
# The map entries of the dropped backends: each names its import alias.
sed -i -E '/backend(Azure|Consul|Cos|GCS|Kubernetes|OSS|Pg|S3|OCI)\.New\(\)/d' "$init"
GOFLAGS= go build -mod=mod -trimpath -ldflags "-X github.com/hashicorp/terraform/version.dev=no" -o "$out.partial" .
mv "$out.partial" "$out"   # a build cut short leaves nothing behind to be trusted
"$out" version | head -1
