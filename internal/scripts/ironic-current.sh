#!/usr/bin/env bash
# Builds, once per machine, a Debian chroot holding a current Ironic from Debian's own
# packages (forky: Ironic 35, API 1.111), beside the machine's Debian 12 Ironic 21.4. The
# test harness runs it there (internal/ironictest, IRONIC_CURRENT_ROOT). Idempotent: a
# complete chroot is kept; an interrupted build is started over.
#   internal/scripts/ironic-current.sh [DIR]   (default: bin/ironic-forky)
set -euo pipefail
cd "$(dirname "$0")/../.."
suite=${IRONIC_CURRENT_SUITE:-forky}
dir=${1:-bin/ironic-$suite}
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian's backport of CVE-2026-44918 (forky's 35.0.1-10, trixie's 29.0.5+deb13u3)
# dropped a guard upstream's fix has (commit 1fe9279f4): every node PATCH then makes the
# node its own parent_node, and the next power-off (every deploy's) fails with "child_node
# ... is presently locked". The upstream lines are put back, so the tests run Ironic as
# upstream ships it. Idempotent.
fix_parent_node() {
  local f="$1/usr/lib/python3/dist-packages/ironic/api/controllers/v1/node.py"
  as_root python3 - "$f" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
broken = """                rpc_node, patch, 'parent_node'):
            corrected_values['parent_node'] = parent_node.uuid
"""
fixed = """                rpc_node, patch, 'parent_node'):
            if parent_node.uuid != rpc_node.uuid:  # upstream's guard (1fe9279f4)
                corrected_values['parent_node'] = parent_node.uuid
"""
if broken in s:
    open(p, "w").write(s.replace(broken, fixed))
    print("deps: put upstream's parent_node guard back into Debian's Ironic (CVE-2026-44918 backport)")
PY
}

if [ -f "$dir/.complete" ]; then
  fix_parent_node "$dir"
  echo "deps: current Ironic in $dir ($(cat "$dir/.complete"))"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! command -v debootstrap >/dev/null 2>&1; then
  echo "deps: installing debootstrap (Debian package)"
  as_root apt-get install -y -q --no-install-recommends debootstrap >/dev/null
fi
# The Debian mirror this machine's apt already uses: deb822 sources first, then the
# one-line format.
mirror=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
if [ -z "$mirror" ]; then
  mirror=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' \
    /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
fi
[ -n "$mirror" ] || { echo "deps: found no Debian mirror in /etc/apt" >&2; exit 1; }

partial="$dir.partial"
as_root rm -rf "$partial"
mkdir -p "$(dirname "$dir")"
start=$(date +%s)
echo "deps: building a Debian $suite chroot with Ironic into $dir (about five minutes and 1.1 GB, once)"
# Debian 12's debootstrap has no script for forky; sid's builds it.
as_root debootstrap --variant=minbase "$suite" "$partial" "$mirror" /usr/share/debootstrap/scripts/sid >"$dir.log" 2>&1 ||
  { tail -20 "$dir.log" >&2; exit 1; }
# The mirror's testing suite may carry a Release file past its Valid-Until (a mirror
# that is a dated snapshot): apt would refuse it, so that date is not checked.
echo 'Acquire::Check-Valid-Until "false";' | as_root tee "$partial/etc/apt/apt.conf.d/99no-valid-until" >/dev/null
as_root chroot "$partial" apt-get update -q >>"$dir.log" 2>&1
# genisoimage: the mkisofs Ironic builds its virtual media ISOs with (python3-pycdlib
# brings it too; named so that it stays).
as_root chroot "$partial" apt-get install -y -q --no-install-recommends \
  ironic-api ironic-conductor python3-ironicclient qemu-utils genisoimage >>"$dir.log" 2>&1 ||
  { tail -20 "$dir.log" >&2; exit 1; }
version=$(as_root chroot "$partial" dpkg-query -W -f='${Version}' ironic-common)
as_root chroot "$partial" apt-get clean
fix_parent_node "$partial"
echo "ironic $version, Debian $suite, built in $(( $(date +%s) - start )) s" | as_root tee "$partial/.complete" >/dev/null
as_root mv "$partial" "$dir"
echo "deps: current Ironic in $dir ($(cat "$dir/.complete"))"
