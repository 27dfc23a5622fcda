#!/usr/bin/env bash
# Checks a release directory (GoReleaser's dist/) holds what the Terraform Registry takes,
# and nothing it would refuse:
# - terraform-provider-baremetal_<version>_<os>_<arch>.zip for each expected platform, each
#   holding only the binary terraform-provider-baremetal_v<version> (.exe on Windows), built
#   for that platform with main.version = <version>, and the LICENSE;
# - terraform-provider-baremetal_<version>_manifest.json, equal to terraform-registry-manifest.json;
# - terraform-provider-baremetal_<version>_SHA256SUMS, listing exactly the zips and the
#   manifest, whose sums verify (sha256sum -c);
# - terraform-provider-baremetal_<version>_SHA256SUMS.sig, a binary detached signature of it
#   that gpg --verify accepts with the given public key.
# Every failure is reported, then the exit status is 1.
#
#   release-check.sh [-k public-key.asc] [-t "linux_amd64 darwin_arm64 ..."] DIR
#   release-check.sh --self-test -k public-key.asc [-t targets] DIR
# Without -k the signature is verified against the caller's keyring. --self-test breaks
# copies of a good DIR in several ways and fails unless the check catches each one.
set -euo pipefail
cd "$(dirname "$0")/../.."
self="$PWD/internal/scripts/release-check.sh"
project=terraform-provider-baremetal
key="" targets="" selftest=false
while [ $# -gt 1 ]; do
  case "$1" in
    -k) key=$(realpath "$2"); shift 2 ;;
    -t) targets=$2; shift 2 ;;
    --self-test) selftest=true; shift ;;
    *) break ;;
  esac
done
dir=${1:?usage: release-check.sh [--self-test] [-k key.asc] [-t targets] DIR}
[ -d "$dir" ] || { echo "release-check: $dir is not a directory" >&2; exit 1; }
dir=$(realpath "$dir")

if $selftest; then
  [ -n "$key" ] || { echo "release-check: --self-test needs -k" >&2; exit 1; }
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  # breaks CASE EXPECTED-MESSAGE: the check must fail on the broken copy and say why.
  breaks() {
    local name=$1 want=$2 out
    if out=$("$self" -k "$key" ${targets:+-t "$targets"} "$tmp/$name" 2>&1); then
      echo "release-check self-test: $name: the check PASSED a broken release" >&2; exit 1
    fi
    if ! grep -qF -- "$want" <<<"$out"; then
      echo "release-check self-test: $name: failed without saying \"$want\":" >&2; echo "$out" >&2; exit 1
    fi
    echo "release-check self-test: $name: caught ($want)"
  }
  copy() { mkdir "$tmp/$1"; cp "$dir/$project"_* "$tmp/$1/"; }
  first_zip() { local z=("$tmp/$1/"*.zip); echo "${z[0]}"; }

  copy tampered-zip; printf 'x' >>"$(first_zip tampered-zip)"
  breaks tampered-zip "FAILED"
  copy extra-entry; (cd "$tmp" && echo stray >stray.txt && zip -q "$(first_zip extra-entry)" stray.txt)
  breaks extra-entry "unexpected entries"
  copy renamed-zip; z=$(first_zip renamed-zip); mv "$z" "${z%_*}_x86.zip"
  breaks renamed-zip "unexpected file"
  copy other-manifest; m=$(ls "$tmp/other-manifest/"*_manifest.json); sed -i 's/6\.0/5.0/' "$m"
  breaks other-manifest "differs from terraform-registry-manifest.json"
  copy bad-signature; s=$(ls "$tmp/bad-signature/"*.sig); printf '\001' | dd of="$s" bs=1 seek=$(($(stat -c %s "$s") - 1)) conv=notrunc status=none
  breaks bad-signature "signature does not verify"
  copy missing-sig; rm "$tmp/missing-sig/"*.sig
  breaks missing-sig "missing ${project}_"
  echo "release-check self-test: every broken copy was refused"
  exit 0
fi

errors=0
fail() { echo "release-check: FAIL: $*" >&2; errors=$((errors + 1)); }

shopt -s nullglob
sums=("$dir/$project"_*_SHA256SUMS)
if [ ${#sums[@]} -ne 1 ]; then
  echo "release-check: FAIL: expected one ${project}_<version>_SHA256SUMS in $dir, found ${#sums[@]}" >&2; exit 1
fi
version=$(basename "${sums[0]}"); version=${version#"$project"_}; version=${version%_SHA256SUMS}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || fail "version $version is not semantic (x.y.z[-pre])"
prefix="${project}_${version}"
sumsfile="${prefix}_SHA256SUMS"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# Names: only the Registry's files carry the project prefix.
zips=()
for f in "$dir/$project"_*; do
  name=$(basename "$f")
  if [[ $name =~ ^${prefix//./\\.}_(freebsd|linux|darwin|windows)_(amd64|386|arm|arm64)\.zip$ ]]; then
    zips+=("$name")
  elif [ "$name" != "${prefix}_manifest.json" ] && [ "$name" != "$sumsfile" ] && [ "$name" != "$sumsfile.sig" ]; then
    fail "unexpected file $name (the Registry takes ${prefix}_<os>_<arch>.zip, _manifest.json, _SHA256SUMS, _SHA256SUMS.sig)"
  fi
done
for want in "${prefix}_manifest.json" "$sumsfile.sig"; do
  [ -f "$dir/$want" ] || fail "missing $want"
done
[ ${#zips[@]} -gt 0 ] || fail "no ${prefix}_<os>_<arch>.zip"
if [ -n "$targets" ]; then
  for t in $targets; do
    [ -f "$dir/${prefix}_$t.zip" ] || fail "missing ${prefix}_$t.zip"
  done
  for z in "${zips[@]}"; do
    t=${z#"${prefix}_"}; t=${t%.zip}
    [[ " $targets " == *" $t "* ]] || fail "$z: platform $t is not among the expected ($targets)"
  done
fi

# Each zip: the binary for its platform, with the version, and the licence.
for z in "${zips[@]}"; do
  t=${z#"${prefix}_"}; t=${t%.zip}; goos=${t%_*}; goarch=${t#*_}
  bin="${project}_v${version}"; [ "$goos" = windows ] && bin+=.exe
  if ! unzip -tq "$dir/$z" >/dev/null 2>&1; then fail "$z: not a valid zip"; continue; fi
  entries=$(unzip -Z1 "$dir/$z" | sort | tr '\n' ' ')
  [ "$entries" = "$(printf '%s\n' LICENSE "$bin" | sort | tr '\n' ' ')" ] ||
    fail "$z: unexpected entries: $entries(want $bin and LICENSE)"
  unzip -p "$dir/$z" "$bin" >"$work/bin" 2>/dev/null || { fail "$z: no $bin"; continue; }
  # -X main.version=<version> is the only way the version gets in (-trimpath keeps
  # ldflags out of the build info, so look for the string itself).
  grep -aqF -- "$version" "$work/bin" || fail "$z: $bin does not carry main.version=$version"
  if command -v go >/dev/null 2>&1; then
    info=$(go version -m "$work/bin" 2>&1) || { fail "$z: $bin is not a Go binary: $info"; continue; }
    grep -q "GOOS=$goos\$" <<<"$info" && grep -q "GOARCH=$goarch\$" <<<"$info" ||
      fail "$z: $bin is not built for $goos/$goarch: $(grep -E 'GOOS|GOARCH' <<<"$info" | tr -s '\t\n' '  ')"
    grep -q "CGO_ENABLED=0" <<<"$info" || fail "$z: $bin was built with cgo"
  fi
done

# The manifest is the repository's.
if [ -f "$dir/${prefix}_manifest.json" ] && ! cmp -s "$dir/${prefix}_manifest.json" terraform-registry-manifest.json; then
  fail "${prefix}_manifest.json differs from terraform-registry-manifest.json"
fi

# The checksums: exactly the zips and the manifest, and they verify.
listed=$(awk '{print $2}' "${sums[0]}" | sed 's/^\*//' | sort | tr '\n' ' ')
expected=$(printf '%s\n' "${zips[@]}" "${prefix}_manifest.json" | sort | tr '\n' ' ')
[ "$listed" = "$expected" ] || fail "$sumsfile lists $listed; want $expected"
if ! out=$(cd "$dir" && sha256sum -c --strict "$sumsfile" 2>&1); then
  fail "sha256sum -c $sumsfile: $(grep -v ': OK$' <<<"$out" | tr '\n' ' ')"
fi

# The signature: binary (the Registry refuses armored ones) and good.
if [ -f "$dir/$sumsfile.sig" ]; then
  if head -c 10 "$dir/$sumsfile.sig" | grep -q -- '-----'; then fail "$sumsfile.sig is ASCII-armored; the Registry takes a binary signature"; fi
  verify=(gpg --batch --verify "$dir/$sumsfile.sig" "$dir/$sumsfile")
  if [ -n "$key" ]; then
    export GNUPGHOME="$work/gnupg"; mkdir -m 700 "$GNUPGHOME"
    gpg --batch --quiet --import "$key" 2>/dev/null || fail "cannot import the public key $key"
  fi
  if ! out=$("${verify[@]}" 2>&1); then
    fail "$sumsfile.sig: signature does not verify: $(grep -iE 'bad|no public key|invalid|error' <<<"$out" | head -n2 | tr '\n' ' ')"
  fi
  if [ -n "$key" ]; then gpgconf --kill gpg-agent 2>/dev/null || true; fi
fi

if [ "$errors" -gt 0 ]; then
  echo "release-check: $dir is NOT a valid release of $project $version ($errors problems)" >&2
  exit 1
fi
echo "release-check: $dir: $project $version for ${#zips[@]} platforms ($(printf '%s\n' "${zips[@]}" | sed "s/^${prefix}_//; s/\.zip$//" | paste -sd' ')), manifest, $sumsfile verified, signature good"
