package provider

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// fitImages serves images at /<name> with Range requests, as image servers do.
func fitImages(t *testing.T, images map[string][]byte) *httptest.Server {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := images[strings.TrimPrefix(r.URL.Path, "/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, r.URL.Path, time.Time{}, bytes.NewReader(b))
	}))
	t.Cleanup(s.Close)
	return s
}

// emptyQcow2 is a qcow2 image of this virtual size, as qemu-img creates it (a few
// hundred KiB whatever the size).
func emptyQcow2(t *testing.T, size string) []byte {
	t.Helper()
	dir := t.TempDir()
	if b, err := exec.Command("qemu-img", "create", "-f", "qcow2", filepath.Join(dir, "i.qcow2"), size).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img: %v: %s", err, b)
	}
	b, err := os.ReadFile(filepath.Join(dir, "i.qcow2"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// gptImage is a 1 MiB raw disk image with a GPT holding one partition of this type
// (GUID bytes as GPT stores them).
func gptImage(partitionType []byte) []byte {
	d := make([]byte, 1<<20)
	le := binary.LittleEndian
	d[446+4] = 0xee // protective MBR
	le.PutUint32(d[446+8:], 1)
	le.PutUint32(d[446+12:], uint32(len(d)/512-1))
	d[510], d[511] = 0x55, 0xaa
	h := d[512:]
	copy(h, "EFI PART")
	le.PutUint32(h[8:], 0x00010000)
	le.PutUint32(h[12:], 92)
	le.PutUint64(h[24:], 1)
	le.PutUint64(h[72:], 2) // entries at LBA 2
	le.PutUint32(h[80:], 128)
	le.PutUint32(h[84:], 128)
	e := d[1024:]
	copy(e, partitionType)
	le.PutUint64(e[32:], 34)
	le.PutUint64(e[40:], 2047)
	return d
}

var (
	efiPartition   = []byte{0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b}
	linuxPartition = []byte{0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47, 0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4}
)

// spaced turns a message into a pattern that matches it however Terraform wraps it.
func spaced(s string) string {
	return strings.Join(strings.Fields(regexp.QuoteMeta(s)), `\s+`)
}

// testAccDeploymentConfig_fits is a fake-hardware node with these root device hints (an
// HCL object, or null) and, when image is set, a deployment of that image with more
// instance_info keys (HCL).
func testAccDeploymentConfig_fits(name, rootDevice, image, more string) string {
	hcl := providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name        = %q
  driver      = "fake-hardware"
  root_device = %s
}
`, name, rootDevice)
	if image != "" {
		hcl += fmt.Sprintf(`
resource "baremetal_deployment" "d" {
  node_id       = baremetal_node.n.id
  instance_info = {
    image_source   = %q
    image_checksum = "0123456789abcdef0123456789abcdef"
    %s
  }
}
`, image, more)
	}
	return hcl
}

// An image whose size on disk (a qcow2's virtual size, read from its header) exceeds the
// root disk Ironic's agent would choose from the node's inventory is a plan-time error
// naming both; a smaller image plans; root device hints that select a bigger disk make
// the big one fit. A node that boots UEFI refuses an image whose GPT has no EFI system
// partition, and takes one that has. Each image is read with one Range request.
func TestAccDeployment_imageMustFit(t *testing.T) {
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img (qemu-utils) is not installed")
	}
	name := testNodeName()
	srv := fitImages(t, map[string][]byte{
		"big.qcow2":   emptyQcow2(t, "20G"),
		"small.qcow2": emptyQcow2(t, "5G"),
		"noesp.raw":   gptImage(linuxPartition),
		"esp.raw":     gptImage(efiPartition),
	})
	seed := func() {
		if testServer == nil {
			t.Skip("seeding an inventory needs the Ironic this test run started")
		}
		inv := testInventory(randomMAC())
		inv["disks"] = []any{
			map[string]any{"name": "/dev/sda", "size": 8 << 30, "serial": "FIT-SMALL-1", "rotational": false, "model": "SSD 8G"},
			map[string]any{"name": "/dev/sdb", "size": 64 << 30, "serial": "FIT-BIG-1", "rotational": true, "model": "HDD 64G"},
			map[string]any{"name": "/dev/sdc", "size": 2 << 30, "serial": "FIT-TINY-1", "rotational": false, "model": "USB 2G"},
		}
		if err := testServer.SeedInventory(context.Background(), name, inv, map[string]any{}); err != nil {
			t.Fatal(err)
		}
	}
	const bigHints = `{ size = ">= 32" }`
	uefi := `capabilities = jsonencode({ boot_mode = "uefi" })`
	ironicTest(t, resource.TestStep{
		Config: testAccDeploymentConfig_fits(name, "null", "", ""),
	}, resource.TestStep{
		// Without hints the agent takes the smallest disk of at least 4 GiB: sda, 8 GiB.
		PreConfig:   seed,
		Config:      testAccDeploymentConfig_fits(name, "null", srv.URL+"/big.qcow2", ""),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)The image does not fit the node's root disk.*` + spaced(srv.URL+"/big.qcow2 needs 20 GiB (21474836480 bytes) on disk (its qcow2 virtual size)") + `.*` + spaced("/dev/sda, serial FIT-SMALL-1, 8 GiB (8589934592 bytes), Ironic's default choice")),
	}, resource.TestStep{
		Config:             testAccDeploymentConfig_fits(name, "null", srv.URL+"/small.qcow2", ""),
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
	}, resource.TestStep{
		Config: testAccDeploymentConfig_fits(name, bigHints, "", ""), // Ironic holds the hints before the deployment is planned
	}, resource.TestStep{
		Config:             testAccDeploymentConfig_fits(name, bigHints, srv.URL+"/big.qcow2", ""),
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
	}, resource.TestStep{
		// Hints in instance_info come first (Ironic's get_root_device_for_deploy).
		Config:      testAccDeploymentConfig_fits(name, bigHints, srv.URL+"/big.qcow2", `root_device = jsonencode({ serial = "FIT-SMALL-1" })`),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)` + spaced("8 GiB (8589934592 bytes), chosen by the root device hints in the node's instance_info")),
	}, resource.TestStep{
		Config:      testAccDeploymentConfig_fits(name, bigHints, srv.URL+"/noesp.raw", uefi),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)The image has no EFI system partition.*` + spaced(srv.URL+"/noesp.raw has a gpt partition table without an EFI system partition") + `.*boot_mode:uefi`),
	}, resource.TestStep{
		Config:             testAccDeploymentConfig_fits(name, bigHints, srv.URL+"/esp.raw", uefi),
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
	}, resource.TestStep{
		Config:             testAccDeploymentConfig_fits(name, bigHints, srv.URL+"/noesp.raw", `capabilities = jsonencode({ boot_mode = "bios" })`), // BIOS: no ESP needed
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
	}, resource.TestStep{
		// No boot mode anywhere (a fake-hardware node reads none from a BMC): Ironic's
		// default_boot_mode, which its API does not show, decides; a warning, the plan goes on.
		Config:             testAccDeploymentConfig_fits(name, bigHints, srv.URL+"/noesp.raw", ""),
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
	}, resource.TestStep{
		// An image that cannot be read is not judged: a warning, and the plan goes on.
		Config:             testAccDeploymentConfig_fits(name, "null", srv.URL+"/missing.qcow2", ""),
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
	})
}

// What the check cannot judge is a warning saying what was not checked, and the plan
// goes on; a node without an inventory is not checked at all (no warning). Two nodes
// deploying one image read it with one request in the plan.
func TestAccDeployment_imageFitUnjudged(t *testing.T) {
	testAccPreCheck(t)
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img (qemu-utils) is not installed")
	}
	if testServer == nil {
		t.Skip("seeding an inventory needs the Ironic this test run started")
	}
	var gz bytes.Buffer
	z := gzip.NewWriter(&gz)
	z.Write(gptImage(efiPartition))
	z.Close()
	var requests atomic.Int32
	images := map[string][]byte{"big.qcow2": emptyQcow2(t, "20G"), "os.raw.gz": gz.Bytes(), "bare.raw": []byte("no partition table"),
		"noesp.raw": gptImage(linuxPartition)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		b, ok := images[strings.TrimPrefix(r.URL.Path, "/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, r.URL.Path, time.Time{}, bytes.NewReader(b))
	}))
	defer srv.Close()
	a, b, bare := testNodeName(), testNodeName(), testNodeName()
	nodes := func(more string) string {
		return providerBlock + fmt.Sprintf(`
resource "baremetal_node" "a" {
  name        = %q
  driver      = "fake-hardware"
}
resource "baremetal_node" "b" {
  name        = %q
  driver      = "fake-hardware"
}
resource "baremetal_node" "bare" {
  name        = %q
  driver      = "fake-hardware"
}
`, a, b, bare) + more
	}
	deploy := func(res, node, image, more string) string {
		return fmt.Sprintf(`
resource "baremetal_deployment" %q {
  node_id       = baremetal_node.%s.id
  instance_info = {
    image_source   = "%s/%s"
    image_checksum = "0123456789abcdef0123456789abcdef"
    %s
  }
}
`, res, node, srv.URL, image, more)
	}
	w := newCLIWorkspace(t)
	w.write(nodes(""))
	w.apply()
	defer w.destroy()
	for _, n := range []string{a, b} {
		inv := testInventory(randomMAC())
		inv["disks"] = []any{map[string]any{"name": "/dev/sda", "size": 64 << 30, "serial": "FIT-" + n, "model": "SSD 64G"}}
		if err := testServer.SeedInventory(context.Background(), n, inv, map[string]any{}); err != nil {
			t.Fatal(err)
		}
	}
	const notChecked = "Image not checked against the node's disks"
	for _, c := range []struct {
		hcl  string
		want string // in the plan's warning; "" no warning
	}{
		{deploy("d", "a", "missing.qcow2", ""), "could not be read: GET " + srv.URL + "/missing.qcow2: HTTP 404"},
		{deploy("d", "a", "os.raw.gz", ""), "its size on disk is not known (a gzip image is unpacked before it is written"},
		{deploy("d", "a", "bare.raw", `capabilities = jsonencode({ boot_mode = "uefi" })`), "its first sectors hold no partition table"},
		{deploy("d", "a", "big.qcow2", `root_device = jsonencode({ model = "<all-in> a b" })`), "uses <all-in>"},
		{deploy("d", "bare", "big.qcow2", ""), ""},
	} {
		w.write(nodes(c.hcl))
		out := flat(w.run("plan", "-input=false", "-no-color"))
		if c.want == "" {
			if strings.Contains(out, notChecked) {
				t.Fatalf("a node without an inventory was checked:\n%s", out)
			}
			continue
		}
		if !strings.Contains(out, notChecked) || !strings.Contains(out, c.want) {
			t.Fatalf("the plan does not warn %q:\n%s", c.want, out)
		}
	}
	// No boot mode anywhere: Ironic's configured default_boot_mode decides, which its API
	// does not show; an image without an EFI system partition is a warning, not an error.
	w.write(nodes(deploy("d", "a", "noesp.raw", "")))
	if out := flat(w.run("plan", "-input=false", "-no-color")); !strings.Contains(out, "The image may not boot on the node") ||
		!strings.Contains(out, "[deploy]default_boot_mode") || strings.Contains(out, "Error") {
		t.Fatalf("the plan does not warn of the unknown boot mode:\n%s", out)
	}
	w.write(nodes(deploy("d", "a", "noesp.raw", `capabilities = jsonencode({ boot_mode = "bios" })`)))
	if out := flat(w.run("plan", "-input=false", "-no-color")); strings.Contains(out, "may not boot") || strings.Contains(out, notChecked) ||
		strings.Contains(out, "Error") {
		t.Fatalf("a BIOS node's image without an EFI system partition warned:\n%s", out)
	}
	requests.Store(0)
	w.write(nodes(deploy("d", "a", "big.qcow2", "") + deploy("e", "b", "big.qcow2", "")))
	if out := w.run("plan", "-input=false", "-no-color"); strings.Contains(out, notChecked) || strings.Contains(out, "Error") {
		t.Fatalf("fitting images warned:\n%s", out)
	}
	if n := requests.Load(); n != 1 {
		t.Fatalf("the plan read the image with %d requests, want 1", n)
	}
}

// Where no capability says, the boot mode Ironic read from the BMC (the node's boot_mode
// field, API 1.75) is the one the deploy follows (Ironic's sync_boot_mode): a Redfish
// machine in UEFI refuses an image without an EFI system partition; in BIOS it takes it.
func TestAccDeployment_imageFitBootModeFromBMC(t *testing.T) {
	testAccPreCheck(t)
	if !ironic.FeatureNamed("boot_mode").Available(testNegotiated(t)) {
		t.Skipf("this Ironic offers API %s, without the node's boot_mode", testNegotiated(t))
	}
	name := testNodeName()
	node := redfishNode(t, name)
	srv := fitImages(t, map[string][]byte{"noesp.raw": gptImage(linuxPartition)})
	unused := newTestImageServer(t, []byte("os image "+name)) // deploymentConfig's baremetal_image
	cache := t.TempDir()
	cfg := func(boot string, deployed bool) string {
		c := deploymentConfig{Cache: cache, ImageURL: unused.URL, Name: name, Node: node + "\n  " + boot, Deployed: deployed,
			InstanceInfo: fmt.Sprintf(`{ image_source = "%s/noesp.raw", image_checksum = "0123456789abcdef0123456789abcdef" }`, srv.URL)}
		return c.String()
	}
	seed := func() {
		inv := testInventory(macFor(name))
		inv["disks"] = []any{map[string]any{"name": "/dev/sda", "size": 64 << 30, "serial": "FIT-" + name, "model": "SSD 64G"}}
		if err := testServer.SeedInventory(context.Background(), name, inv, map[string]any{}); err != nil {
			t.Fatal(err)
		}
	}
	ironicTest(t, resource.TestStep{
		Config: cfg("", false),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("boot_mode"), knownvalue.StringExact("uefi"))},
	}, resource.TestStep{
		PreConfig:   seed,
		Config:      cfg("", true),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)The image has no EFI system partition.*` + spaced("the node's boot_mode uefi, as Ironic last read it from the BMC")),
	}, resource.TestStep{
		Config: cfg(`boot_mode = "bios"`, false),
	}, resource.TestStep{
		Config:             cfg(`boot_mode = "bios"`, true),
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
	})
}
