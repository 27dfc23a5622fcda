#!/usr/bin/env bash
# Builds a release snapshot into dist/ exactly as a tagged release would be built
# (GoReleaser with .goreleaser.yml), signed with a throwaway GPG key made for this run in
# a temporary GNUPGHOME (no key is committed or kept), then checks it with
# release-check.sh and proves the check refuses broken copies (--self-test).
#
# RELEASE_TARGETS=all (default): every platform of the release.
# RELEASE_TARGETS=ci: linux_amd64, darwin_arm64 and windows_amd64 only (make test).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/bin:$PATH"
targets_ci="linux_amd64 darwin_arm64 windows_amd64"
targets_all="freebsd_amd64 freebsd_386 freebsd_arm freebsd_arm64 windows_amd64 windows_386 windows_arm64
  linux_amd64 linux_386 linux_arm linux_arm64 darwin_amd64 darwin_arm64"
export RELEASE_TARGETS=${RELEASE_TARGETS:-all}
case "$RELEASE_TARGETS" in
  ci) targets=$targets_ci ;;
  all) targets=$targets_all ;;
  *) echo "release-snapshot: RELEASE_TARGETS=$RELEASE_TARGETS: use all or ci" >&2; exit 1 ;;
esac
targets=$(echo $targets)

internal/scripts/deps.sh --release # GoReleaser, gpg, zip, unzip: installed if missing

export GNUPGHOME
GNUPGHOME=$(mktemp -d)
chmod 700 "$GNUPGHOME"
cleanup() {
  gpgconf --kill gpg-agent 2>/dev/null || true # the agent this run's key started
  rm -rf "$GNUPGHOME"
}
trap cleanup EXIT
# RSA: the Registry takes RSA and DSA keys only. No passphrase, expires tomorrow.
gpg --batch --quiet --passphrase '' --quick-generate-key \
  "terraform-provider-baremetal snapshot (throwaway) <snapshot@invalid>" rsa3072 sign 1d 2>/dev/null
GPG_FINGERPRINT=$(gpg --batch --with-colons --list-secret-keys 2>/dev/null | awk -F: '/^fpr:/ && !n++ {print $10}')
export GPG_FINGERPRINT
gpg --batch --armor --export "$GPG_FINGERPRINT" >"$GNUPGHOME/public.asc"

start=$SECONDS
goreleaser release --snapshot --clean
# A release uploads the manifest beside the zips (release.extra_files); a snapshot
# publishes nothing, so it is put into dist/ here, under the name the checksums give it.
sums=(dist/terraform-provider-baremetal_*_SHA256SUMS)
cp terraform-registry-manifest.json "${sums[0]%_SHA256SUMS}_manifest.json"
echo "release-snapshot: built $RELEASE_TARGETS targets in $((SECONDS - start)) s"

internal/scripts/release-check.sh -k "$GNUPGHOME/public.asc" -t "$targets" dist
internal/scripts/release-check.sh --self-test -k "$GNUPGHOME/public.asc" -t "$targets" dist
