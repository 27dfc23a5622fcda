package ironic

import (
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

func TestIsDeployed(t *testing.T) {
	for _, s := range []string{"active", "deploying", "wait call-back", "deploy failed", "error", "rescue"} {
		if !IsDeployed(s) {
			t.Errorf("%q: a deployment holds the node", s)
		}
	}
	for _, s := range []string{"enroll", "manageable", "available", "cleaning", "clean failed", "inspecting"} {
		if IsDeployed(s) {
			t.Errorf("%q: no deployment holds the node", s)
		}
	}
}

func TestTrackedInstanceInfo(t *testing.T) {
	configured := map[string]string{"image_source": "http://i/os.qcow2", "image_checksum": "abc"}
	remote := map[string]string{"image_source": "http://i/os.qcow2", "image_checksum": "abc", "image_type": "whole-disk", "image_url": "******"}
	if got := TrackedInstanceInfo(remote, configured); len(got) != 2 || got["image_type"] != "" {
		t.Fatalf("keys Ironic adds are tracked: %v", got)
	}
	remote["image_checksum"] = Masked
	if got := TrackedInstanceInfo(remote, configured); got["image_checksum"] != "abc" {
		t.Fatalf("a masked value keeps the configured one: %v", got)
	}
	delete(remote, "image_checksum")
	if got := TrackedInstanceInfo(remote, configured); len(got) != 1 {
		t.Fatalf("a key removed outside Terraform must show as drift: %v", got)
	}
}

func TestInstanceInfoDiffers(t *testing.T) {
	want := map[string]string{"image_source": "s", "image_checksum": "c"}
	cases := []struct {
		name        string
		remote, was map[string]string
		differs     bool
	}{
		{"same, plus Ironic's own keys", map[string]string{"image_source": "s", "image_checksum": "c", "image_type": "whole-disk"}, nil, false},
		{"same, plus a key set by hand", map[string]string{"image_source": "s", "image_checksum": "c", "root_gb": "10"}, nil, false},
		{"masked value", map[string]string{"image_source": "s", "image_checksum": Masked}, nil, false},
		{"other checksum", map[string]string{"image_source": "s", "image_checksum": "d"}, nil, true},
		{"missing key", map[string]string{"image_source": "s"}, nil, true},
		{"configured key dropped", map[string]string{"image_source": "s", "image_checksum": "c", "root_gb": "10"},
			map[string]string{"image_source": "s", "image_checksum": "c", "root_gb": "10"}, true},
		{"dropped key already gone", map[string]string{"image_source": "s", "image_checksum": "c"},
			map[string]string{"image_source": "s", "image_checksum": "c", "root_gb": "10"}, false},
		// An import recorded before imports left Ironic's own keys out: never drift.
		{"Ironic's own key in the record", map[string]string{"image_source": "s", "image_checksum": "c", "image_type": "whole-disk"},
			map[string]string{"image_source": "s", "image_checksum": "c", "image_type": "whole-disk"}, false},
	}
	for _, c := range cases {
		if got := InstanceInfoDiffers(want, c.remote, c.was, false); got != c.differs {
			t.Errorf("%s: differs = %v, want %v", c.name, got, c.differs)
		}
	}
}

func TestNeedsMoveLeavesDeployedNodes(t *testing.T) {
	cases := []struct {
		state, target string
		move          bool
	}{
		{"active", StateAvailable, false},
		{"deploy failed", StateAvailable, false},
		{"wait call-back", StateManageable, false},
		{"manageable", StateAvailable, true},
		{"available", StateAvailable, false},
		{"available", StateManageable, true},
		{"manageable", StateEnroll, false},
		{"rescue", StateAvailable, false},
	}
	for _, c := range cases {
		n := fakeNode(c.state)
		if got := NeedsMove(n, Goal{State: c.target}); got != c.move {
			t.Errorf("%s -> %s: move = %v, want %v", c.state, c.target, got, c.move)
		}
	}
}

func fakeNode(state string) *nodes.Node { return &nodes.Node{UUID: "n1", ProvisionState: state} }

func TestInstanceInfoTraitsAreAList(t *testing.T) {
	got := InstanceInfoValues(map[string]string{"image_source": "x", "traits": `["CUSTOM_RAID1"]`})
	if l, ok := got["traits"].([]string); !ok || len(l) != 1 || l[0] != "CUSTOM_RAID1" || got["image_source"] != "x" {
		t.Fatalf("%#v", got)
	}
}

// What Ironic rewrites while it caches or converts an image is not another image.
func TestImageKeysComparedByMeaning(t *testing.T) {
	const md5hex = "0cc175b9c0f1b6a831c399e269772661"
	const sha = "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
	configured := map[string]string{"image_source": "file:///i/os.img", "image_checksum": md5hex}
	// A file:// image as Ironic 21.4 leaves it after caching it.
	cached := map[string]string{"image_source": "file:///i/os.img", "image_checksum": "", "image_os_hash_algo": "sha256",
		"image_os_hash_value": sha, "image_url": "http://conductor/agent_images/n1", "image_disk_format": "raw"}
	if got := TrackedInstanceInfo(cached, configured); got["image_checksum"] != md5hex || len(got) != 2 {
		t.Errorf("Ironic's rewrite of a file:// image is drift: %v", got)
	}
	if InstanceInfoDiffers(configured, cached, configured, false) {
		t.Error("Ironic's rewrite of a file:// image asks for a rebuild")
	}
	withFormat := map[string]string{"image_source": "http://i/os.qcow2", "image_checksum": md5hex, "image_disk_format": "qcow2"}
	converted := map[string]string{"image_source": "http://i/os.qcow2", "image_checksum": md5hex, "image_disk_format": "raw"}
	if InstanceInfoDiffers(withFormat, converted, withFormat, false) || TrackedInstanceInfo(converted, withFormat)["image_disk_format"] != "qcow2" {
		t.Error("a conversion to raw is drift")
	}

	cases := []struct {
		name     string
		a, b     map[string]string
		byIronic bool
		same     bool
	}{
		{"the same md5, any case", map[string]string{"image_checksum": md5hex}, map[string]string{"image_checksum": strings.ToUpper(md5hex)}, false, true},
		{"Ironic's own sha256 beside our md5", map[string]string{"image_checksum": md5hex}, map[string]string{"image_os_hash_algo": "sha256", "image_os_hash_value": sha}, true, true},
		{"another md5 in Ironic", map[string]string{"image_checksum": md5hex}, map[string]string{"image_checksum": "ffffffffffffffffffffffffffffffff"}, true, false},
		{"another sha256 in Ironic", map[string]string{"image_os_hash_algo": "sha256", "image_os_hash_value": sha},
			map[string]string{"image_os_hash_algo": "sha256", "image_os_hash_value": strings.Repeat("0", 64)}, true, false},
		{"a sha256 image_checksum (by length) is the sha256", map[string]string{"image_checksum": sha}, map[string]string{"image_os_hash_algo": "SHA256", "image_os_hash_value": sha}, false, true},
		{"configuration moved from md5 to sha256: not provably the same", map[string]string{"image_os_hash_algo": "sha256", "image_os_hash_value": sha},
			map[string]string{"image_checksum": md5hex}, false, false},
		{"the same from an import", map[string]string{"image_os_hash_algo": "sha256", "image_os_hash_value": sha}, map[string]string{"image_checksum": md5hex}, true, true},
		{"another format, not a conversion", map[string]string{"image_disk_format": "raw"}, map[string]string{"image_disk_format": "qcow2"}, true, false},
		{"format dropped from the configuration", map[string]string{}, map[string]string{"image_disk_format": "qcow2"}, false, false},
	}
	for _, c := range cases {
		if got := SameImage(c.a, c.b, c.byIronic); got != c.same {
			t.Errorf("%s: same = %v, want %v", c.name, got, c.same)
		}
	}
	// A new image in the configuration is a rebuild even where Ironic cannot compare.
	next := map[string]string{"image_source": "file:///i/os.img", "image_checksum": "ffffffffffffffffffffffffffffffff"}
	if !InstanceInfoDiffers(next, cached, configured, false) {
		t.Error("a new image's checksum does not rebuild a node whose Ironic recomputed the old one")
	}
}

func TestRebuildGuard(t *testing.T) {
	for _, c := range []struct {
		state        string
		protected    bool
		allow, stays bool
		want         RebuildBlock
	}{
		{"active", false, true, false, RebuildAllowed},
		{"active", false, false, false, RebuildNotAllowed},
		{"error", false, false, false, RebuildNotAllowed}, // a failed teardown's disk is intact
		{"deploy failed", false, false, false, RebuildAllowed},
		{"active", true, true, true, RebuildProtected},
		{"active", true, true, false, RebuildAllowed},  // lifted first by the same apply
		{"rescue", false, true, false, RebuildRescued}, // never unrescued to be rebuilt
		{"unrescue failed", true, false, true, RebuildRescued},
	} {
		if got := RebuildGuard(&nodes.Node{ProvisionState: c.state, Protected: c.protected}, c.allow, c.stays); got != c.want {
			t.Errorf("%+v: got %v", c, got)
		}
	}
	if !NeedsRebuild(DeploySpec{}, &nodes.Node{ProvisionState: "error"}, nil, false, false) ||
		NeedsRebuild(DeploySpec{}, &nodes.Node{ProvisionState: "active"}, nil, true, true) ||
		!NeedsRebuild(DeploySpec{}, &nodes.Node{ProvisionState: "active"}, nil, false, true) {
		t.Error("NeedsRebuild")
	}
}

// The pull secret (Ironic returns it masked) is never recorded: not by an import, not by
// a read (a state that recorded its mask loses it), and a deploy that sent it does not
// count it as a key the configuration dropped.
func TestPullSecretNeverRecorded(t *testing.T) {
	remote := map[string]string{"image_source": "oci://r/os@sha256:ab", "image_pull_secret": Masked, "image_type": "whole-disk",
		"image_request_authorization_secret": Masked} // what Ironic 35 derives for the agent
	if got := RecordedInstanceInfo(remote); len(got) != 1 || got["image_source"] == "" || got[PullSecretKey] != "" {
		t.Fatalf("recorded: %v", got)
	}
	if remote[PullSecretKey] != Masked {
		t.Fatal("RecordedInstanceInfo changed its argument")
	}
	imported := map[string]string{"image_source": "oci://r/os@sha256:ab", "image_pull_secret": Masked, "image_request_authorization_secret": Masked}
	if got := TrackedInstanceInfo(remote, imported); len(got) != 1 || got["image_source"] != "oci://r/os@sha256:ab" {
		t.Fatalf("tracked: %v", got)
	}
	want := map[string]string{"image_source": "oci://r/os@sha256:ab"}
	if InstanceInfoDiffers(want, remote, imported, true) {
		t.Fatal("the pull secret recorded before counts as dropped")
	}
	if got := (DeploySpec{InstanceInfo: want, PullSecret: "user:pw"}).sentInstanceInfo(); got[PullSecretKey] != "user:pw" || want[PullSecretKey] != "" {
		t.Fatalf("sent: %v", got)
	}
}
