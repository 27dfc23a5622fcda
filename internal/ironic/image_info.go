package ironic

import (
	"maps"
	"slices"
	"strings"
)

// imageKeys are the instance_info keys that say which bytes go onto the disk and that
// Ironic itself rewrites while it caches or converts an image (a file:// image, an
// image_download_source of local, a qcow2 converted to raw): it drops image_checksum,
// computes its own image_os_hash_algo and image_os_hash_value, sets image_url and
// image_disk_format. They are compared by meaning, never as text.
var imageKeys = []string{"image_checksum", "image_os_hash_algo", "image_os_hash_value", "image_disk_format", "image_url"}

func isImageKey(k string) bool { return slices.Contains(imageKeys, k) }

// digests are the image digests an instance_info names, by hashlib algorithm, lower
// case: image_os_hash_algo with image_os_hash_value, and image_checksum, whose
// algorithm its length gives (md5 for 32 characters, as every agent reads it). A
// checksum that is a URL names a checksums file and is kept as such.
func digests(info map[string]string) map[string]string {
	out := map[string]string{}
	if algo, v := info["image_os_hash_algo"], info["image_os_hash_value"]; algo != "" && v != "" {
		out[strings.ToLower(algo)] = strings.ToLower(v)
	}
	if c := info["image_checksum"]; c != "" {
		switch {
		case strings.HasPrefix(c, "http://") || strings.HasPrefix(c, "https://"):
			out["checksums file"] = c
		case len(c) == 128:
			out["sha512"] = strings.ToLower(c)
		case len(c) == 64:
			out["sha256"] = strings.ToLower(c)
		default:
			out["md5"] = strings.ToLower(c)
		}
	}
	return out
}

// SameImage reports whether two instance_infos deploy the same image bytes as far as
// their image keys tell.
//
// When other is what Ironic holds (byIronic), it may have recomputed the digest in an
// algorithm of its own and converted the format to raw: the two differ only where they
// give different digests in the same algorithm, where Ironic holds no digest at all,
// or in formats other than that conversion.
// When other was recorded from a configuration, the digests and the format must be the
// same ones: a configuration that swaps md5 for sha256 cannot be shown to name the same
// bytes, so it counts as a change (a rebuild the plan shows).
func SameImage(configured, other map[string]string, byIronic bool) bool {
	if !byIronic {
		return maps.Equal(digests(configured), digests(other)) && configured["image_disk_format"] == other["image_disk_format"]
	}
	want, have := digests(configured), digests(UnmaskSecrets(other, configured))
	if len(want) > 0 && len(have) == 0 {
		return false // Ironic always keeps a digest: this one was removed by hand
	}
	for algo, v := range want {
		if h, ok := have[algo]; ok && h != v {
			return false
		}
	}
	wf, hf := configured["image_disk_format"], other["image_disk_format"]
	return wf == "" || hf == "" || wf == hf || hf == "raw"
}

// ImageInstanceInfo is the instance_info that deploys an image of this URL and digest
// on any Ironic: an md5 digest as image_checksum (what every Ironic and agent reads),
// any other as image_os_hash_algo with image_os_hash_value, the pair Ironic requires.
// algorithm is a hashlib name.
func ImageInstanceInfo(url, algorithm, digest string) map[string]string {
	if strings.EqualFold(algorithm, "md5") {
		return map[string]string{"image_source": url, "image_checksum": digest}
	}
	return map[string]string{"image_source": url, "image_os_hash_algo": strings.ToLower(algorithm), "image_os_hash_value": digest}
}
