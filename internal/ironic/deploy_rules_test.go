package ironic

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestCheckInstanceInfo(t *testing.T) {
	const iso, kernel, initrd = "http://images/live.iso", "http://images/vmlinuz", "http://images/initrd"
	image := map[string]string{"image_source": "http://images/os.qcow2", "image_checksum": "d41d8cd98f00b204e9800998ecf8427e"}
	for _, c := range []struct {
		name, deploy, boot string
		info               map[string]string
		key, summary       string // "" summary: accepted
	}{
		// direct: an image with its checksum, as the provider always checked; ansible an image.
		{name: "direct image", deploy: "direct", boot: "pxe", info: image},
		{name: "direct with the pair", deploy: "direct", info: map[string]string{"image_source": "https://x/i", "image_os_hash_algo": "sha256", "image_os_hash_value": "abc"}},
		{name: "direct glance image", deploy: "direct", info: map[string]string{"image_source": "3f0c6d2e-1b2c-4d5e-8f90-123456789abc"}},
		{name: "direct file image", deploy: "direct", info: map[string]string{"image_source": "file:///var/lib/ironic/i.img"}},
		{name: "direct without image_source", deploy: "direct", info: map[string]string{"root_gb": "10"}, key: "image_source", summary: "Missing image_source"},
		{name: "direct boot_iso only", deploy: "direct", boot: "ipxe", info: map[string]string{"boot_iso": iso}, key: "image_source", summary: "Missing image_source"},
		{name: "direct http without checksum", deploy: "direct", info: map[string]string{"image_source": "http://x/i"}, key: "image_checksum", summary: "Missing image checksum"},
		{name: "direct algorithm without value", deploy: "direct", info: map[string]string{"image_source": "http://x/i", "image_os_hash_algo": "sha256"},
			key: "image_os_hash_algo", summary: "Incomplete image checksum"},
		{name: "direct value without algorithm", deploy: "direct", info: map[string]string{"image_source": "file:///i", "image_os_hash_value": "abc"},
			key: "image_os_hash_value", summary: "Incomplete image checksum"},
		{name: "direct unknown image_source", deploy: "direct", info: map[string]string{"image_source": UnknownValue}},
		{name: "ansible without image_source", deploy: "ansible", info: map[string]string{}, key: "image_source", summary: "Missing image_source"},
		{name: "ansible http without checksum", deploy: "ansible", info: map[string]string{"image_source": "http://x/i"}},
		{name: "anaconda image", deploy: "anaconda", info: map[string]string{"image_source": "http://mirror/os/"}},
		{name: "bootc oci image", deploy: "bootc", info: map[string]string{"image_source": "oci://registry/os:1"}},
		// ramdisk: boot_iso, or kernel and ramdisk; never image_source with boot_iso.
		{name: "ramdisk boot_iso on virtual media", deploy: "ramdisk", boot: "redfish-virtual-media", info: map[string]string{"boot_iso": iso}},
		{name: "ramdisk boot_iso on ipxe", deploy: "ramdisk", boot: "ipxe", info: map[string]string{"boot_iso": iso}},
		{name: "ramdisk boot_iso known after apply", deploy: "ramdisk", boot: "redfish-virtual-media", info: map[string]string{"boot_iso": UnknownValue}},
		{name: "ramdisk boot_iso, boot interface unknown", deploy: "ramdisk", info: map[string]string{"boot_iso": iso}},
		{name: "ramdisk boot_iso on pxe", deploy: "ramdisk", boot: "pxe", info: map[string]string{"boot_iso": iso}, key: "boot_iso", summary: "Boot interface cannot boot an ISO"},
		{name: "ramdisk boot_iso with image_source", deploy: "ramdisk", boot: "redfish-virtual-media", info: map[string]string{"boot_iso": iso, "image_source": "http://x/i"},
			key: "image_source", summary: "image_source with boot_iso"},
		{name: "ramdisk kernel and ramdisk on pxe", deploy: "ramdisk", boot: "pxe", info: map[string]string{"kernel": kernel, "ramdisk": initrd}},
		{name: "ramdisk kernel and ramdisk beside an image", deploy: "ramdisk", boot: "pxe", info: map[string]string{"kernel": kernel, "ramdisk": initrd, "image_source": "http://x/i"}},
		{name: "ramdisk kernel only", deploy: "ramdisk", boot: "pxe", info: map[string]string{"kernel": kernel}, key: "ramdisk", summary: "Missing ramdisk"},
		{name: "ramdisk ramdisk only", deploy: "ramdisk", boot: "pxe", info: map[string]string{"ramdisk": initrd, "image_source": "http://x/i"}, key: "kernel", summary: "Missing kernel"},
		{name: "ramdisk disk image", deploy: "ramdisk", boot: "pxe", info: image, key: "boot_iso", summary: "Missing boot_iso"},
		{name: "ramdisk nothing", deploy: "ramdisk", boot: "pxe", info: map[string]string{}, key: "boot_iso", summary: "Missing boot_iso"},
		{name: "ramdisk glance image", deploy: "ramdisk", boot: "pxe", info: map[string]string{"image_source": "glance://3f0c6d2e"}},
		{name: "ramdisk on a fake boot interface", deploy: "ramdisk", boot: "fake", info: map[string]string{"kernel": kernel, "ramdisk": initrd},
			summary: "Boot interface cannot boot a ramdisk deploy"},
		// autodetect (2026.1): ramdisk only with ironic_ramdisk_deploy.
		{name: "autodetect ramdisk", deploy: "autodetect", boot: "ipxe", info: map[string]string{"boot_iso": iso, "ironic_ramdisk_deploy": "true"}},
		{name: "autodetect image", deploy: "autodetect", info: image},
		{name: "autodetect boot_iso without the flag", deploy: "autodetect", info: map[string]string{"boot_iso": iso},
			key: "ironic_ramdisk_deploy", summary: "Missing ironic_ramdisk_deploy"},
		{name: "autodetect ramdisk with image_source", deploy: "autodetect", boot: "ipxe", info: map[string]string{"boot_iso": iso, "ironic_ramdisk_deploy": "true", "image_source": "http://x/i"},
			key: "image_source", summary: "image_source with boot_iso"},
		// Interfaces that take any instance_info, or that the table does not know.
		{name: "custom-agent nothing", deploy: "custom-agent", info: map[string]string{}},
		{name: "noop nothing", deploy: "noop", info: map[string]string{}},
		{name: "fake nothing", deploy: "fake", info: map[string]string{}},
		{name: "vendor interface", deploy: "vendor-deploy", info: map[string]string{}},
		// Not known at plan time: refused only what neither direct nor ramdisk takes.
		{name: "unknown interface, image", info: image},
		{name: "unknown interface, boot_iso", info: map[string]string{"boot_iso": iso}},
		{name: "unknown interface, kernel and ramdisk", info: map[string]string{"kernel": kernel, "ramdisk": initrd}},
		{name: "unknown interface, nothing", info: map[string]string{"root_gb": "10"}, key: "image_source", summary: "Missing image_source"},
		{name: "unknown interface, kernel only", info: map[string]string{"kernel": kernel}, key: "image_source", summary: "Missing image_source"},
		{name: "unknown interface, http without checksum", info: map[string]string{"image_source": "http://x/i"}, key: "image_checksum", summary: "Missing image checksum"},
	} {
		p := CheckInstanceInfo("n1", c.deploy, c.boot, c.info)
		switch {
		case c.summary == "" && p != nil:
			t.Errorf("%s: unexpected %v", c.name, p)
		case c.summary != "" && p == nil:
			t.Errorf("%s: accepted, want %q", c.name, c.summary)
		case p != nil && (p.Summary != c.summary || p.Key != c.key):
			t.Errorf("%s: got %q on %q, want %q on %q (%s)", c.name, p.Summary, p.Key, c.summary, c.key, p.Detail)
		case p != nil && c.deploy != "" && !strings.Contains(p.Detail, "Node n1 uses the \""+c.deploy+"\" deploy interface"):
			t.Errorf("%s: the detail does not name the node's deploy interface: %s", c.name, p.Detail)
		case p != nil && c.key != "" && !strings.Contains(p.Detail, c.key):
			t.Errorf("%s: the detail does not name %s: %s", c.name, c.key, p.Detail)
		}
	}
}

// A deploy or rebuild whose instance_info the node's deploy interface does not take (a
// plan that did not know the interface let it through) is refused before anything is
// sent, and counts as refused: no deployment to record.
func TestDeployChecksInstanceInfo(t *testing.T) {
	spec := DeploySpec{InstanceInfo: map[string]string{"image_source": "http://i/os.img", "image_checksum": "d41d8cd98f00b204e9800998ecf8427e"}}
	for _, state := range []string{"available", "deploy failed"} {
		n := fakeNodeIn("n1", state)
		n["deploy_interface"], n["boot_interface"] = "ramdisk", "pxe"
		f, p := newFakeNodeAPI(t, n)
		node, err := p.Deploy(context.Background(), "n1", spec)
		var problem *InstanceInfoProblem
		if !errors.As(err, &problem) || problem.Key != "boot_iso" || f.requests(false) != "" || !DeployRefused(node, err) {
			t.Fatalf("%s: deploy: %v after %q", state, err, f.requests(false))
		}
	}
	active := fakeNodeIn("n2", "active")
	active["deploy_interface"], active["boot_interface"] = "ramdisk", "pxe"
	f, p := newFakeNodeAPI(t, active)
	node, _ := p.GetNode(context.Background(), "n2")
	if _, err := p.Redeploy(context.Background(), node, spec, true); !errors.As(err, new(*InstanceInfoProblem)) ||
		strings.Contains(f.requests(false), "PATCH") || strings.Contains(f.requests(false), "PUT") {
		t.Fatalf("rebuild: %v after %q", err, f.requests(false))
	}
	live := DeploySpec{InstanceInfo: map[string]string{"kernel": "http://i/vmlinuz", "ramdisk": "http://i/initrd"}}
	n := fakeNodeIn("n3", "available")
	n["deploy_interface"], n["boot_interface"] = "ramdisk", "pxe"
	f, p = newFakeNodeAPI(t, n)
	if _, err := p.Deploy(context.Background(), "n3", live); errors.As(err, new(*InstanceInfoProblem)) || !strings.Contains(f.requests(false), "PATCH") {
		t.Fatalf("kernel and ramdisk: %v after %q", err, f.requests(false))
	}
}

// An Ironic whose ISO cache and temporary directory are on two file systems fails a
// ramdisk deploy of a boot_iso; the error says how to configure it, or to skip the cache.
func TestKnownDefectISOCacheLink(t *testing.T) {
	err := &ProvisionError{NodeID: "n1", Action: "active", State: "deploy failed", LastError: "Deploy step deploy.deploy failed: " +
		"Could not link image http://i/live.iso from /var/lib/ironic/master_iso_images/x to /tmp/t/boot-n1.iso, error: " +
		"[Errno 18] Invalid cross-device link"}
	hint := KnownDefect(err, DeploySpec{InstanceInfo: map[string]string{"boot_iso": "http://i/live.iso"}})
	if !strings.Contains(hint, "iso_master_path") || !strings.Contains(hint, "ramdisk_image_download_source") {
		t.Fatalf("hint: %q", hint)
	}
	if KnownDefect(&ProvisionError{NodeID: "n1", LastError: "Could not link image: [Errno 13] Permission denied"}, DeploySpec{}) != "" {
		t.Fatal("a hint for another failure")
	}
}
