#!/usr/bin/env bash
# Installs what the tests need, idempotently, on a Debian or Ubuntu machine:
# - Ironic (API and conductor in one process), Keystone (run under uwsgi by the tests) and
#   the `baremetal` CLI, from Debian's packages;
# - Terraform 1.16.2, the one the main acceptance run, examples-check and make generate use
#   (actions and query need 1.14 or later): built from its module source on the Go module
#   proxy into bin/terraform by internal/scripts/terraform-build.sh, in the background (about
#   two minutes on 2 cores, once; an older bin/terraform is replaced);
# - an older Terraform, for the Keystone run: bin/terraform-older links to the terraform on
#   PATH outside bin/ if any, else to v1.5.7 (the last MPL release, the oldest supported)
#   built from the Go module proxy into bin/terraform-1.5.7 (about two minutes, once);
# - an OpenTofu CLI: the one on PATH if any, else v1.12.6 built the same way;
# - a current Ironic (Debian forky's 35) in a chroot: internal/scripts/ironic-current.sh;
# - for make release-snapshot: GoReleaser v2 built from the Go module proxy into ./bin, and
#   gpg, its agent, zip and unzip from Debian's packages.
# With --demo, only what `make demo` uses: Ironic, the baremetal CLI and a Terraform (any on
# PATH, else 1.16.2 built; no Keystone, no OpenTofu, whose build alone takes about seven minutes).
# With --release, only what `make release-snapshot` uses.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CHECKPOINT_DISABLE=1   # no version check over the network from `terraform version`
demo_only=false release_only=false
[ "${1:-}" = "--demo" ] && demo_only=true
[ "${1:-}" = "--release" ] && release_only=true

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

need_pkgs=()
if ! $release_only; then
  command -v ironic >/dev/null 2>&1 || need_pkgs+=(ironic-api ironic-conductor)
  command -v ironic-dbsync >/dev/null 2>&1 || need_pkgs+=(ironic-api)
  command -v baremetal >/dev/null 2>&1 || need_pkgs+=(python3-ironicclient)
  # qemu-img: Ironic converts images with it, and so does the test agent.
  command -v qemu-img >/dev/null 2>&1 || need_pkgs+=(qemu-utils)
fi
if ! $demo_only && ! $release_only; then
  command -v keystone-manage >/dev/null 2>&1 || need_pkgs+=(keystone)
  # Keystone's package brings uwsgi-core; the tests serve it through the Python 3 plugin.
  [ -e /usr/lib/uwsgi/plugins/python3_plugin.so ] || need_pkgs+=(uwsgi-plugin-python3)
  # The OCI registry the oci:// image tests push to and Ironic pulls from (the tests start
  # their own on loopback; the package's own service is not needed).
  command -v docker-registry >/dev/null 2>&1 || need_pkgs+=(docker-registry)
  # Virtual media: Ironic builds its ISOs with mkisofs; the harness makes their EFI system
  # partition of Debian's signed shim and GRUB with mkfs.vfat and mcopy.
  command -v mkisofs >/dev/null 2>&1 || need_pkgs+=(genisoimage)
  [ -e /usr/lib/shim/shimx64.efi.signed ] || need_pkgs+=(shim-signed)
  [ -e /usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed ] || need_pkgs+=(grub-efi-amd64-signed)
  command -v mcopy >/dev/null 2>&1 || need_pkgs+=(mtools)
  [ -x /usr/sbin/mkfs.vfat ] || need_pkgs+=(dosfstools)
fi
if ! $demo_only; then
  # make release-snapshot: GoReleaser signs with gpg (whose agent holds the throwaway key),
  # the check reads the zips, and its self-test adds a stray file to one.
  command -v gpg >/dev/null 2>&1 || need_pkgs+=(gpg)
  command -v gpg-agent >/dev/null 2>&1 || need_pkgs+=(gpg-agent)
  command -v unzip >/dev/null 2>&1 || need_pkgs+=(unzip)
  command -v zip >/dev/null 2>&1 || need_pkgs+=(zip)
fi
# The current Ironic's chroot is built in the background below, while Go builds OpenTofu and
# GoReleaser: its debootstrap comes with the other packages, so no two apt-gets overlap.
build_chroot=false
if ! $demo_only && ! $release_only && [ ! -f bin/ironic-forky/.complete ]; then
  build_chroot=true
  command -v debootstrap >/dev/null 2>&1 || need_pkgs+=(debootstrap)
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "deps: installing ${need_pkgs[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -q >/dev/null || echo "deps: apt-get update reported errors; trying the install anyway"
  as_root apt-get install -y -q --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi
# The Debian post-installs may start a system Ironic (port 6385) and Keystone (5000); the
# tests run their own on free ports and need nothing from them.

# Background builds are never left running behind a failed step: waited for on any exit.
chroot_pid= terraform_pid=
trap 'for p in $chroot_pid $terraform_pid; do wait "$p" 2>/dev/null || true; done' EXIT
# finish PID LOG WHAT waits for a background build; its log is shown if it failed.
finish() {
  local status=0
  wait "$1" || status=$?
  [ "$status" -eq 0 ] || { cat "$2"; echo "deps: $3 failed ($status)" >&2; exit "$status"; }
}

# A current Ironic beside 21.4, in a chroot of a newer Debian's packages (about six minutes,
# mostly downloads, and 1.1 GB, once): started now, waited for at the end. Its output goes
# to a log shown when it ends.
if $build_chroot; then
  mkdir -p bin
  echo "deps: building the current Ironic's chroot in the background (log: bin/ironic-current-build.log)"
  internal/scripts/ironic-current.sh >bin/ironic-current-build.log 2>&1 &
  chroot_pid=$!
fi

# Terraform 1.16.2 into bin/terraform (make puts bin/ first on PATH), unless it is there:
# started now beside the chroot and the Go builds below, waited for at the end.
TERRAFORM_VERSION=1.16.2
have=$(bin/terraform version 2>/dev/null || true)
if ! $release_only && ! grep -qx "Terraform v$TERRAFORM_VERSION" <<<"$have"; then
  if $demo_only && command -v terraform >/dev/null 2>&1; then
    : # the demo takes any Terraform on PATH
  else
    mkdir -p bin
    # The 1.5.7 that deps built here before is kept as the older Terraform (below).
    if [ ! -e bin/terraform-1.5.7 ] && grep -qx 'Terraform v1.5.7' <<<"$have"; then
      mv bin/terraform bin/terraform-1.5.7
    fi
    echo "deps: building Terraform v$TERRAFORM_VERSION from the Go module proxy into bin/ in the background (log: bin/terraform-build.log)"
    internal/scripts/terraform-build.sh "$TERRAFORM_VERSION" "$PWD/bin/terraform" >bin/terraform-build.log 2>&1 &
    terraform_pid=$!
  fi
fi

# GoReleaser v2 for make release-snapshot: the one on PATH if it is a v2, else built from the
# Go module proxy into ./bin (about 4.5 minutes of CPU: 3 on 2 idle cores, once). Pinned to the newest
# release whose go.mod this Go accepts (2.18 needs Go 1.27.1); never a tool line in go.mod
# (its module graph is large).
GORELEASER_VERSION=2.17.0
if $demo_only; then
  : # make demo builds no release
elif goreleaser --version 2>/dev/null | grep '^GitVersion: *v\?2\.' >/dev/null; then
  echo "deps: using $(command -v goreleaser) (GoReleaser $(goreleaser --version 2>/dev/null | sed -n 's/^GitVersion: *//p'))"
elif [ -x bin/goreleaser ]; then
  echo "deps: using bin/goreleaser (GoReleaser $(bin/goreleaser --version 2>/dev/null | sed -n 's/^GitVersion: *//p'))"
else
  echo "deps: building GoReleaser v$GORELEASER_VERSION from the Go module proxy into bin/ (about three minutes, once)"
  GOBIN="$PWD/bin" GOFLAGS=-mod=mod go install "github.com/goreleaser/goreleaser/v2@v$GORELEASER_VERSION"
fi
if $release_only; then
  exit 0
fi

if $demo_only; then
  [ -z "$terraform_pid" ] || finish "$terraform_pid" bin/terraform-build.log "building Terraform v$TERRAFORM_VERSION"
  tf=$(command -v terraform || echo bin/terraform)
  echo "deps: using $tf ($("$tf" version 2>/dev/null | grep -m1 '^Terraform'))"
else
  # The older Terraform, so that the CLIs users still run stay tested (the Keystone run): the
  # terraform on PATH outside bin/, else v1.5.7 built once. bin/terraform-older links to it.
  mkdir -p bin
  outside_bin=
  IFS=: read -ra dirs <<<"$PATH"
  for d in "${dirs[@]}"; do [ "$d" -ef bin ] || outside_bin+=${outside_bin:+:}$d; done
  if older=$(PATH=$outside_bin command -v terraform); then
    ln -sfn "$older" bin/terraform-older
  else
    older=bin/terraform-1.5.7
    if [ ! -x "$older" ]; then
      echo "deps: building Terraform v1.5.7 from the Go module proxy into bin/ (about two minutes, once)"
      gobin=$(mktemp -d)
      GOBIN="$gobin" GOFLAGS=-mod=mod go install github.com/hashicorp/terraform@v1.5.7
      mv "$gobin/terraform" "$older" && rmdir "$gobin"
    fi
    ln -sfn terraform-1.5.7 bin/terraform-older
  fi
  echo "deps: the older Terraform (bin/terraform-older): $older ($("$older" version 2>/dev/null | grep -m1 '^Terraform'))"
fi
# OpenTofu, for the second run of the acceptance suite: the one on PATH if any, else
# v1.12.6 built from its module source on the Go module proxy into ./bin (about seven
# minutes on 2 cores, once). dev=no makes it report 1.12.6, not 1.12.6-dev.
TOFU_VERSION=1.12.6
if $demo_only; then
  echo "deps: ironic $(dpkg-query -W -f='${Version}' ironic-common 2>/dev/null || echo '?'), go $(go env GOVERSION) (for the demo)"
  exit 0
fi
# (tofu version may print a warning about the CLI configuration first.)
if command -v tofu >/dev/null 2>&1; then
  echo "deps: using $(command -v tofu) ($(tofu version 2>/dev/null | grep -m1 '^OpenTofu'))"
elif [ -x bin/tofu ]; then
  echo "deps: using bin/tofu ($(bin/tofu version 2>/dev/null | grep -m1 '^OpenTofu'))"
else
  echo "deps: building OpenTofu v$TOFU_VERSION from the Go module proxy into bin/ (about seven minutes, once)"
  src=$(GOFLAGS= go mod download -json "github.com/opentofu/opentofu@v$TOFU_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$src" ] || { echo "deps: go mod download found no source for OpenTofu v$TOFU_VERSION" >&2; exit 1; }
  out="$PWD/bin/tofu"
  (cd "$src" && GOFLAGS= go build -trimpath -ldflags "-X github.com/opentofu/opentofu/version.dev=no" -o "$out.partial" ./cmd/tofu)
  mv "$out.partial" "$out"   # a build cut short leaves no bin/tofu behind to be trusted
fi
if [ -n "$terraform_pid" ]; then
  finish "$terraform_pid" bin/terraform-build.log "building Terraform v$TERRAFORM_VERSION"
  terraform_pid=
fi
echo "deps: using bin/terraform ($(bin/terraform version 2>/dev/null | grep -m1 '^Terraform'))"
if [ -n "$chroot_pid" ]; then
  finish "$chroot_pid" bin/ironic-current-build.log "building the current Ironic's chroot"
  chroot_pid=
  cat bin/ironic-current-build.log
else
  internal/scripts/ironic-current.sh
fi
echo "deps: ironic $(dpkg-query -W -f='${Version}' ironic-common 2>/dev/null || echo '?'), keystone $(dpkg-query -W -f='${Version}' keystone 2>/dev/null || echo '?'), go $(go env GOVERSION)"
