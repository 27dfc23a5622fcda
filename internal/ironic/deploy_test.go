package ironic

import (
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
	}
	for _, c := range cases {
		if got := InstanceInfoDiffers(want, c.remote, c.was); got != c.differs {
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
