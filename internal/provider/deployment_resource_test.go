package provider

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// deploymentConfig is the whole configuration of a test that deploys one machine:
// baremetal_image.os served from ImageURL, node n (with the attributes in Node) and its
// port p, and, when Deployed, deployment d of that image on n. Its HCL is String's.
type deploymentConfig struct {
	Endpoint     string // the provider's endpoint; empty: the environment's
	Cache        string // the provider's image_cache_dir
	ImageURL     string // the image server's URL: the image is <ImageURL>/images/os.qcow2
	Name         string // the node's name; its port's MAC is macFor(Name)
	Target       string // the node's target_provision_state; empty: "available"
	Node         string // the node's other attributes: agentNode(t) or redfishNode(t, name), and more
	More         string // further blocks (a data source)
	Deployed     bool   // with deployment d
	InstanceInfo string // the deployment's instance_info (HCL); empty: baremetal_image.os.instance_info
	Deployment   string // the deployment's other attributes
}

func (c deploymentConfig) String() string {
	endpoint := ""
	if c.Endpoint != "" {
		endpoint = fmt.Sprintf("endpoint = %q", c.Endpoint)
	}
	target := cmp.Or(c.Target, "available")
	hcl := fmt.Sprintf(`
provider "baremetal" {
  %s
  image_cache_dir = %q
}

resource "baremetal_image" "os" {
  url = "%s/images/os.qcow2"
}

resource "baremetal_node" "n" {
  name                   = %q
  target_provision_state = %q
  %s
}

resource "baremetal_port" "p" {
  node_id = baremetal_node.n.id
  address = %q
}
%s`, endpoint, c.Cache, c.ImageURL, c.Name, target, c.Node, macFor(c.Name), c.More)
	if c.Deployed {
		hcl += fmt.Sprintf(`
resource "baremetal_deployment" "d" {
  node_id       = baremetal_node.n.id
  instance_info = %s
  %s
}
`, cmp.Or(c.InstanceInfo, "baremetal_image.os.instance_info"), c.Deployment)
	}
	return hcl
}

func expectDeployment(state string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue("baremetal_deployment.d", tfjsonpath.New("provision_state"), knownvalue.StringExact(state))
}

// Deploy through the direct interface (the disk then holds the image), an empty plan, a
// rebuild on image change (planned, warned, carried out: the disk holds the new image),
// a forbidden rebuild refused at plan time, and destroy returning the node to available
// with its UUID and port, its disk erased by automated cleaning through the agent.
func TestAccDeployment_lifecycle(t *testing.T) {
	v1 := []byte("os image v1 " + testNodeName())
	srv := newTestImageServer(t, v1)
	cache := t.TempDir()
	name := testNodeName()
	v2 := []byte("os image v2, a little longer " + name)
	deployment := func(more string) deploymentConfig {
		return deploymentConfig{Cache: cache, ImageURL: srv.URL, Name: name, Node: agentNode(t) + "\n  automated_clean = true",
			Deployed: true, Deployment: more}
	}
	cfg := func(more string) string { return deployment(more).String() }
	bigger := deployment("allow_rebuild = false")
	bigger.InstanceInfo = `merge(baremetal_image.os.instance_info, { root_gb = "10" })`
	var nodeID, deployedAt string
	ironicTest(t, []resource.TestStep{{
		Config: cfg(""),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue("baremetal_deployment.d", tfjsonpath.New("provision_state"), knownvalue.StringExact("active")),
				plancheck.ExpectKnownValue("baremetal_deployment.d", tfjsonpath.New("instance_info").AtMapKey("image_source"),
					knownvalue.StringExact(srv.URL+"/images/os.qcow2")),
			},
		},
		ConfigStateChecks: []statecheck.StateCheck{
			expectDeployment("active"),
			statecheck.ExpectKnownValue("baremetal_deployment.d", tfjsonpath.New("instance_info"), knownvalue.MapExact(map[string]knownvalue.Check{
				"image_source": knownvalue.StringExact(srv.URL + "/images/os.qcow2"), "image_checksum": knownvalue.StringExact(hexMD5(v1)),
			})),
		},
		Check: resource.ComposeTestCheckFunc(checkDisk("baremetal_node.n", v1), checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			nodeID, deployedAt = n.UUID, n.ProvisionUpdatedAt.String()
			if n.ProvisionState != "active" || n.DeployInterface != "direct" || n.InstanceInfo["image_source"] != srv.URL+"/images/os.qcow2" {
				return fmt.Errorf("Ironic has %s (%s) with %v", n.ProvisionState, n.DeployInterface, n.InstanceInfo)
			}
			return nil
		})),
	}, {
		PreConfig: func() {
			srv.mu.Lock()
			srv.body = v2
			srv.lastModified = "Thu, 22 Oct 2026 07:28:00 GMT"
			srv.mu.Unlock()
		},
		Config: cfg(""),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("baremetal_image.os", plancheck.ResourceActionReplace),
				plancheck.ExpectResourceAction("baremetal_deployment.d", plancheck.ResourceActionUpdate),
				plancheck.ExpectResourceAction("baremetal_node.n", plancheck.ResourceActionNoop),
				plancheck.ExpectResourceAction("baremetal_port.p", plancheck.ResourceActionNoop),
			},
		},
		ConfigStateChecks: []statecheck.StateCheck{
			expectDeployment("active"),
			statecheck.ExpectKnownValue("baremetal_deployment.d", tfjsonpath.New("instance_info").AtMapKey("image_checksum"),
				knownvalue.StringExact(hexMD5(v2))),
		},
		Check: resource.ComposeTestCheckFunc(checkDisk("baremetal_node.n", v2), checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if n.UUID != nodeID || n.ProvisionState != "active" || n.ProvisionUpdatedAt.String() == deployedAt {
				return fmt.Errorf("node not rebuilt in place: %s %s at %s (first deploy at %s)", n.UUID, n.ProvisionState, n.ProvisionUpdatedAt, deployedAt)
			}
			deployedAt = n.ProvisionUpdatedAt.String()
			return nil
		})),
	}, {
		// A known change with rebuilds forbidden: a plan-time error, nothing touched.
		Config:      bigger.String(),
		ExpectError: regexp.MustCompile(`(?s)Rebuild forbidden.*allow_rebuild = false`),
	}, {
		Config: cfg("  allow_rebuild = false"),
		Check: checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if n.ProvisionUpdatedAt.String() != deployedAt {
				return fmt.Errorf("the node was redeployed: %s", n.ProvisionUpdatedAt)
			}
			return nil
		}),
	}, {
		// Dropping the deployment undeploys: the same node, cleaned by the agent (its disk
		// erased), available again, port kept.
		Config: deploymentConfig{Cache: cache, ImageURL: srv.URL, Name: name, Node: agentNode(t) + "\n  automated_clean = true"}.String(),
		Check: resource.ComposeTestCheckFunc(checkDisk("baremetal_node.n", make([]byte, len(v2))), checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if n.UUID != nodeID || n.ProvisionState != "available" {
				return fmt.Errorf("node %s is %q", n.UUID, n.ProvisionState)
			}
			return nil
		})),
	}}...)
}

// Where Ironic caches an image itself it rewrites the image keys of instance_info: a
// file:// image, an http one with image_download_source = local, and a qcow2 one it
// converts to raw get its own sha256 (image_checksum dropped), image_url and
// image_disk_format. Each deploys through the agent (the disk holds the image, or its
// raw conversion) and the next plan is empty: the same image, not drift.
func TestAccDeployment_ironicRewritesImageKeys(t *testing.T) {
	dir := t.TempDir()
	fileImage := []byte("a file image " + testNodeName())
	filePath := filepath.Join(dir, "file.img")
	if err := os.WriteFile(filePath, fileImage, 0o644); err != nil {
		t.Fatal(err)
	}
	httpImage := []byte("an http image cached by Ironic " + testNodeName())
	raw := bytes.Repeat([]byte("raw bytes inside a qcow2 "), 4096)
	qcow := qcow2Of(t, raw)
	srv := newTestImageServer(t, httpImage)
	qsrv := newTestImageServer(t, qcow)
	cache := t.TempDir()
	prefix := testNodeName()
	cfg := imageConfig(cache, "")
	cases := []struct{ url, extra string }{
		{"file://" + filePath, ""},
		{srv.URL + "/images/http.img", `image_download_source = "local"`},
		{qsrv.URL + "/images/os.qcow2", `image_download_source = "local"`},
	}
	file := !testIronicDiffers(fileImageDeploysFail)
	if !file {
		t.Logf("%s on this Ironic (TestAccDeployment_fileImageDefectExplained): the http cases only", fileImageDeploysFail)
		cases[0] = cases[1] // deployed twice, on two nodes
	}
	for i, c := range cases {
		name := fmt.Sprintf("%s-%d", prefix, i)
		cfg += fmt.Sprintf("resource \"baremetal_image\" \"i%d\" {\n  url = %q\n}\n", i, c.url) +
			machine{Index: i, Name: name, Node: agentNode(t), InstanceInfo: fmt.Sprintf("merge(baremetal_image.i%d.instance_info, { %s })", i, c.extra)}.String()
	}
	rewritten := func(i int, check func(map[string]any) error) resource.TestCheckFunc {
		return checkRemoteNode(fmt.Sprintf("baremetal_node.n%d", i), func(n *nodes.Node) error {
			if n.ProvisionState != "active" {
				return fmt.Errorf("node %d is %s: %s", i, n.ProvisionState, n.LastError)
			}
			if err := check(n.InstanceInfo); err != nil {
				return fmt.Errorf("node %d: %v (instance_info %v)", i, err, n.InstanceInfo)
			}
			return nil
		})
	}
	sha256Of := func(want string) func(map[string]any) error {
		return func(ii map[string]any) error {
			if ii["image_os_hash_algo"] != "sha256" || ii["image_os_hash_value"] != want || ii["image_checksum"] != nil {
				return fmt.Errorf("Ironic did not put its own sha256 %s in place of image_checksum", want)
			}
			return nil
		}
	}
	ironicTest(t, resource.TestStep{
		Config: cfg,
		Check: resource.ComposeTestCheckFunc(
			checkDisk("baremetal_node.n0", map[bool][]byte{true: fileImage, false: httpImage}[file]), checkDisk("baremetal_node.n1", httpImage), checkDisk("baremetal_node.n2", raw),
			rewritten(0, sha256Of(hexSHA256(map[bool][]byte{true: fileImage, false: httpImage}[file]))),
			rewritten(1, sha256Of(hexSHA256(httpImage))),
			rewritten(2, func(ii map[string]any) error {
				if ii["image_disk_format"] != "raw" {
					return fmt.Errorf("Ironic did not convert the qcow2 to raw")
				}
				return sha256Of(hexSHA256(raw))(ii) // the digest of the converted image
			}),
		),
	}, resource.TestStep{
		// Refreshed from Ironic: still nothing to do, no rebuild.
		Config:   cfg,
		PlanOnly: true,
	})
}

// qcow2Of makes a real qcow2 image of raw, with qemu-img as an image pipeline would.
func qcow2Of(t *testing.T, raw []byte) []byte {
	t.Helper()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.raw"), filepath.Join(dir, "out.qcow2")
	if err := os.WriteFile(in, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command("qemu-img", "convert", "-f", "raw", "-O", "qcow2", in, out).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img: %v: %s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Nodes deployed by hand through the direct interface, one from an http image and one
// from a file:// image (whose image keys Ironic rewrote while caching it), with ports
// written in upper case, are adopted with import blocks: the plan is a no-op for each,
// the apply touches nothing in Ironic, and the generated configuration plans clean too.
func TestAccDeployment_adoptRunningNode(t *testing.T) {
	sc := testIronic(t)
	testAgent(t)
	ctx := context.Background()
	img := []byte("adopted image " + testNodeName())
	srv := newTestImageServer(t, img)
	filePath := filepath.Join(t.TempDir(), "os.img")
	if err := os.WriteFile(filePath, img, 0o644); err != nil {
		t.Fatal(err)
	}
	prefix := testNodeName()
	type handMade struct {
		name, mac, source string
		local             bool // image_download_source = local
		before            *nodes.Node
	}
	made := []*handMade{{name: prefix + "-h", source: srv.URL + "/os.img"}, {name: prefix + "-f", source: "file://" + filePath}}
	if testIronicDiffers(fileImageDeploysFail) {
		// Rewritten keys come from image_download_source = local instead.
		made[1].source, made[1].local = srv.URL+"/os.img", true
	}
	prov := testEngine(t)
	for _, h := range made {
		h.mac = macFor(h.name)
		node, err := nodes.Create(ctx, sc, nodes.CreateOpts{Name: h.name, Driver: "manual-management", BootInterface: "pxe",
			DeployInterface: "direct", ResourceClass: "adopt",
			DriverInfo: map[string]any{"deploy_kernel": testServer.DeployKernel, "deploy_ramdisk": testServer.DeployRamdisk}}).Extract()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ports.Create(ctx, sc, ports.CreateOpts{NodeUUID: node.UUID, Address: h.mac}).Extract(); err != nil {
			t.Fatal(err)
		}
		if _, err := prov.Reach(ctx, node.UUID, ironic.Goal{State: ironic.StateAvailable}); err != nil {
			t.Fatal(err)
		}
		info := map[string]string{"image_source": h.source, "image_checksum": hexMD5(img), "root_gb": "10"}
		if h.local {
			info["image_download_source"] = "local"
		}
		if _, err := prov.Deploy(ctx, node.UUID, ironic.DeploySpec{InstanceInfo: info}); err != nil {
			t.Fatalf("deploying %s by hand: %v", h.name, err)
		}
		// The conductor releases its lock on the node (a write, which stamps updated_at)
		// just after the node shows active: the baseline is taken once the lock is gone.
		if h.before, err = waitUnlocked(ctx, sc, node.UUID); err != nil {
			t.Fatal(err)
		}
	}
	if made[1].before.InstanceInfo["image_os_hash_algo"] != "sha256" {
		t.Fatalf("Ironic did not rewrite the image's keys, the test proves nothing: %v", made[1].before.InstanceInfo)
	}
	var cfg string
	var addrs []string
	for i, h := range made {
		local := ""
		if h.local {
			local = `image_download_source = "local"`
		}
		cfg += machine{Index: i, Name: h.name, Node: agentNode(t) + "\n  resource_class = \"adopt\"", InstanceInfo: fmt.Sprintf(`{
    image_source   = %q
    image_checksum = %q
    root_gb        = "10"
    %s
  }`, h.source, hexMD5(img), local)}.String() + fmt.Sprintf(`import {
  to = baremetal_node.n%[1]d
  id = %[2]q
}
import {
  to = baremetal_port.p%[1]d
  id = %[3]q
}
import {
  to = baremetal_deployment.d%[1]d
  id = %[2]q
}
`, i, h.name, strings.ToUpper(h.mac))
		addrs = append(addrs, fmt.Sprintf("baremetal_node.n%d", i), fmt.Sprintf("baremetal_port.p%d", i), fmt.Sprintf("baremetal_deployment.d%d", i))
	}
	cfg = providerBlock + cfg
	var noop []plancheck.PlanCheck
	for _, a := range addrs {
		noop = append(noop, plancheck.ExpectResourceAction(a, plancheck.ResourceActionNoop))
	}
	unchanged := func(*terraformState) error {
		for _, h := range made {
			n, err := nodes.Get(ctx, sc, h.before.UUID).Extract()
			if err != nil {
				return err
			}
			if n.ProvisionState != "active" || !n.ProvisionUpdatedAt.Equal(h.before.ProvisionUpdatedAt) || !n.UpdatedAt.Equal(h.before.UpdatedAt) {
				return fmt.Errorf("%s was touched: %s, provision_updated_at %s (was %s), updated_at %s (was %s)", h.name,
					n.ProvisionState, n.ProvisionUpdatedAt, h.before.ProvisionUpdatedAt, n.UpdatedAt, h.before.UpdatedAt)
			}
		}
		return nil
	}
	ironicTest(t, []resource.TestStep{{
		ResourceName:           "baremetal_deployment.d1",
		ImportState:            true,
		ImportStateId:          made[1].name,
		ImportStateKind:        resource.ImportBlockWithID,
		ImportStateConfigExact: true,
		Config:                 cfg,
		ImportPlanChecks:       resource.ImportPlanChecks{PreApply: noop},
	}, {
		Config:           cfg,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: noop},
		Check:            unchanged,
	}, {
		ResourceName:    "baremetal_deployment.d1",
		ImportState:     true,
		GenerateConfig:  true,
		ImportStateKind: resource.ImportBlockWithID,
	}, {
		ResourceName:    "baremetal_node.n0",
		ImportState:     true,
		GenerateConfig:  true,
		ImportStateKind: resource.ImportBlockWithID,
	}, {
		Config: cfg,
		Check:  unchanged,
	}}...)
}

// A deploy Ironic refuses (the node is in maintenance) records nothing and the next
// apply deploys; a deployment undone by hand is deployed again. The node's UUID and
// port stay throughout.
func TestAccDeployment_refusedAndRedeployed(t *testing.T) {
	srv := newTestImageServer(t, []byte("os image "+testNodeName()))
	cache := t.TempDir()
	name := testNodeName()
	cfg := func(maintenance bool) string {
		return deploymentConfig{Cache: cache, ImageURL: srv.URL, Name: name, Node: agentNode(t) + fmt.Sprintf("\n  maintenance = %t", maintenance),
			Deployed: true}.String()
	}
	var nodeID, portID string
	ironicTest(t, []resource.TestStep{{
		Config:      cfg(true),
		ExpectError: regexp.MustCompile(`(?s)Unable to deploy bare metal node.*maintenance.*No deployment was recorded`),
	}, {
		Config: cfg(true),
		// The node and port exist; the deployment does not.
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
	}, {
		Config: cfg(false),
		Check:  resource.ComposeTestCheckFunc(rememberNodeAndPort(&nodeID, &portID), expectRemoteState("active")),
	}, {
		PreConfig: func() { provisionOutOfBand(t, name, nodes.TargetDeleted) },
		Config:    cfg(false),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("baremetal_deployment.d", plancheck.ResourceActionCreate)},
		},
		Check: resource.ComposeTestCheckFunc(sameNodeAndPort(&nodeID, &portID), expectRemoteState("active")),
	}}...)
}

// rememberNodeAndPort records the UUIDs of baremetal_node.n and baremetal_port.p, for
// sameNodeAndPort to check that a later step kept them.
func rememberNodeAndPort(nodeID, portID *string) resource.TestCheckFunc {
	return func(s *terraformState) error {
		*nodeID, _ = stateID(s, "baremetal_node.n")
		*portID, _ = stateID(s, "baremetal_port.p")
		return nil
	}
}

func sameNodeAndPort(nodeID, portID *string) resource.TestCheckFunc {
	return func(s *terraformState) error {
		n, _ := stateID(s, "baremetal_node.n")
		p, _ := stateID(s, "baremetal_port.p")
		if n != *nodeID || p != *portID {
			return fmt.Errorf("node or port replaced: %s/%s, was %s/%s", n, p, *nodeID, *portID)
		}
		return nil
	}
}

// A deploy that fails inside Ironic, on the agent (the image at the URL is not the one
// checksummed, the image server unreachable from the machine), stops in "deploy
// failed" with the agent's reason as Ironic's last_error and taints only the
// deployment. Once the cause is fixed the next apply deploys the same node: same UUID,
// same port, the image on its disk.
func TestAccDeployment_agentFailuresRecover(t *testing.T) {
	cases := []struct {
		name  string
		fault func(name string, srv *testImageServer, img []byte) // makes the next deploy fail
		fix   func(name string, srv *testImageServer, img []byte)
		want  string
	}{{
		name: "checksum mismatch",
		// The image is replaced on the server without a new Last-Modified or size (a
		// sloppy publish): the plan cannot tell, the agent's checksum can.
		fault: func(_ string, srv *testImageServer, img []byte) {
			srv.mu.Lock()
			srv.body = bytes.ToUpper(img)
			srv.mu.Unlock()
		},
		fix: func(_ string, srv *testImageServer, img []byte) {
			srv.mu.Lock()
			srv.body = img
			srv.mu.Unlock()
		},
		want: `Image\s+failed\s+to\s+verify\s+against\s+checksum.*image\s+checksum:\s+[0-9a-f]{32};\s+verification\s+checksum:\s+[0-9a-f]{32}`,
	}, {
		name: "download failure",
		fault: func(name string, _ *testImageServer, _ []byte) {
			testServer.Agent.SetFault(name, ironictest.AgentDownloadFails)
		},
		fix: func(name string, _ *testImageServer, _ []byte) {
			testServer.Agent.SetFault(name, ironictest.AgentHealthy)
		},
		want: `Download\s+of\s+image\s+os.qcow2\s+failed.*cannot\s+reach\s+the\s+image\s+server`,
	}}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			img := []byte("os image " + testNodeName())
			srv := newTestImageServer(t, img)
			cache := t.TempDir()
			name := testNodeName()
			nodeOnly := deploymentConfig{Cache: cache, ImageURL: srv.URL, Name: name, Node: agentNode(t)}
			deployed := nodeOnly
			deployed.Deployed = true
			var nodeID, portID string
			ironicTest(t, []resource.TestStep{{
				Config: nodeOnly.String(),
				Check:  rememberNodeAndPort(&nodeID, &portID),
			}, {
				PreConfig: func() { c.fault(name, srv, img) },
				Config:    deployed.String(),
				ExpectError: regexp.MustCompile(`(?s)Unable to deploy bare metal node.*"active"\s+stopped\s+in\s+state\s+"deploy\s+failed".*` +
					`Deploy\s+step\s+deploy.write_image\s+failed.*` + c.want + `.*recorded\s+as\s+tainted.*enrollment,\s+UUID\s+and\s+ports\s+are\s+untouched`),
			}, {
				PreConfig: func() { c.fix(name, srv, img) },
				Config:    deployed.String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("baremetal_deployment.d", plancheck.ResourceActionDestroyBeforeCreate),
						plancheck.ExpectResourceAction("baremetal_node.n", plancheck.ResourceActionNoop),
						plancheck.ExpectResourceAction("baremetal_port.p", plancheck.ResourceActionNoop),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{expectDeployment("active")},
				Check:             resource.ComposeTestCheckFunc(sameNodeAndPort(&nodeID, &portID), checkDisk("baremetal_node.n", img)),
			}}...)
		})
	}
}

// A deploy whose agent never calls back waits in "wait call-back" until the create
// timeout, and says so; once the machine boots its agent, the next apply deploys the
// same node.
func TestAccDeployment_agentNeverCallsBack(t *testing.T) {
	img := []byte("image " + testNodeName())
	srv := newTestImageServer(t, img)
	cache := t.TempDir()
	name := testNodeName()
	agent := testAgent(t)
	agent.SetFault(name, ironictest.AgentSilent)
	t.Cleanup(func() { agent.SetFault(name, ironictest.AgentHealthy) })
	node := deploymentConfig{Cache: cache, ImageURL: srv.URL, Name: name, Node: agentNode(t)}
	deployed := node
	deployed.Deployed, deployed.Deployment = true, `timeouts = { create = "8s" }`
	cfg := deployed.String()
	// The retry's own budget: the undeploy and deploy of the tainted deployment, which
	// a loaded machine (CI's two suites side by side) can take longer than 8 s to do.
	retried := deployed
	retried.Deployment = `timeouts = { create = "5m" }`
	var start time.Time
	var nodeID, portID string
	ironicTest(t, []resource.TestStep{{
		Config: node.String(),
		Check:  rememberNodeAndPort(&nodeID, &portID),
	}, {
		// Timed from the step itself: a parallel test first waits for the sequential ones.
		PreConfig:   func() { start = time.Now() },
		Config:      cfg,
		ExpectError: regexp.MustCompile(`(?s)still\s+"wait\s+call-back"\s+\(target\s+"active"\)\s+when\s+the\s+timeout\s+ran\s+out`),
	}, {
		PreConfig: func() {
			if d := time.Since(start); d > 3*time.Minute {
				t.Errorf("the 8 s timeout took %s", d)
			}
			agent.SetFault(name, ironictest.AgentHealthy)
		},
		Config:            retried.String(),
		ConfigStateChecks: []statecheck.StateCheck{expectDeployment("active")},
		Check:             resource.ComposeTestCheckFunc(sameNodeAndPort(&nodeID, &portID), checkDisk("baremetal_node.n", img)),
	}}...)
}

// protected = true makes Ironic refuse to undeploy: a destroy fails naming the attribute
// and changes nothing; protected = false lets it go.
func TestAccDeployment_protected(t *testing.T) {
	srv := newTestImageServer(t, []byte("os image "+testNodeName()))
	cache := t.TempDir()
	name := testNodeName()
	ironicTest(t, resource.TestStep{
		Config: deploymentConfig{Cache: cache, ImageURL: srv.URL, Name: name, Node: agentNode(t), Deployed: true,
			Deployment: "protected = true\n  protected_reason = \"production database\""}.String(),
		Check: checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if !n.Protected || n.ProtectedReason != "production database" || n.ProvisionState != "active" {
				return fmt.Errorf("Ironic has protected=%v (%q) in %s", n.Protected, n.ProtectedReason, n.ProvisionState)
			}
			return nil
		}),
	}, resource.TestStep{
		Config:      deploymentConfig{Cache: cache, ImageURL: srv.URL, Name: name, Node: agentNode(t)}.String(), // the deployment removed
		ExpectError: regexp.MustCompile(`(?s)The node is protected.*protected = true:\s+Ironic\s+refuses\s+to\s+undeploy\s+it`),
	}, resource.TestStep{
		Config: deploymentConfig{Cache: cache, ImageURL: srv.URL, Name: name, Node: agentNode(t), Deployed: true, Deployment: "protected = false"}.String(),
		Check: checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if n.Protected || n.ProvisionState != "active" {
				return fmt.Errorf("Ironic has protected=%v in %s", n.Protected, n.ProvisionState)
			}
			return nil
		}),
	})
}

// While a deployment holds a node, power is the deployment's and the operators': a
// spare kept off (target_power_state) is powered on by its deploy and stays on, and a
// deployed machine an operator powered off stays off through an unrelated apply.
func TestAccDeployment_ownsPower(t *testing.T) {
	srv := newTestImageServer(t, []byte("os image "+testNodeName()))
	cache := t.TempDir()
	name := testNodeName()
	cfg := func(description string) string {
		return deploymentConfig{Cache: cache, ImageURL: srv.URL, Name: name, Deployed: true,
			Node: agentNode(t) + fmt.Sprintf("\n  target_power_state = \"power off\"\n  description = %q", description)}.String()
	}
	power := func(want string) resource.TestCheckFunc {
		return checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if n.PowerState != want || n.ProvisionState != "active" {
				return fmt.Errorf("node is %s, %s; want %s", n.ProvisionState, n.PowerState, want)
			}
			return nil
		})
	}
	ironicTest(t, []resource.TestStep{{
		Config: cfg("spare"), // the empty plan after it is the point: no power off planned
		Check:  power("power on"),
	}, {
		PreConfig: func() {
			if _, err := testEngine(t).SetPower(context.Background(), name, "power off"); err != nil {
				t.Fatal(err)
			}
		},
		Config: cfg("web 3"),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction("baremetal_node.n", plancheck.ResourceActionUpdate),
			plancheck.ExpectResourceAction("baremetal_deployment.d", plancheck.ResourceActionNoop),
		}},
		Check: power("power off"),
	}}...)
}

// A node whose teardown failed rests in "error" with its disk intact; Ironic's only way
// back to active is a rebuild, which overwrites the disk. With allow_rebuild = false, or
// protected = true, that is a plan-time error naming the attribute, not a quiet
// "provision_state: error -> active".
func TestAccDeployment_noRebuildFromError(t *testing.T) {
	img := []byte("os image " + testNodeName())
	srv := newTestImageServer(t, img)
	cache := t.TempDir()
	name := testNodeName()
	cfg := func(deployment string) string {
		return deploymentConfig{Cache: cache, ImageURL: srv.URL, Name: name, Node: agentNode(t), Deployed: true, Deployment: deployment}.String()
	}
	teardownFailed := func() {
		if err := testServer.ForceProvisionState(context.Background(), name, "error", "Failed to tear down: the BMC did not answer"); err != nil {
			t.Fatal(err)
		}
	}
	ironicTest(t, []resource.TestStep{{
		Config: cfg("protected = true"),
	}, {
		PreConfig:   teardownFailed,
		Config:      cfg("protected = true"),
		ExpectError: regexp.MustCompile(`(?s)Rebuild forbidden.*"error".*protected\s+=\s+true`),
	}, {
		Config:      cfg("protected = true\n  allow_rebuild = false"),
		ExpectError: regexp.MustCompile(`(?s)Rebuild forbidden.*"error"`),
	}, {
		Config:      cfg("allow_rebuild = false"),
		ExpectError: regexp.MustCompile(`(?s)Rebuild forbidden.*"error".*teardown\s+failed.*the\s+BMC\s+did\s+not\s+answer.*allow_rebuild\s+=\s+false`),
	}, {
		// Allowed: the plan says it rebuilds, and it does; the disk holds the image again.
		Config: cfg(""),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction("baremetal_deployment.d", plancheck.ResourceActionUpdate),
		}},
		ConfigStateChecks: []statecheck.StateCheck{expectDeployment("active")},
		Check:             checkDisk("baremetal_node.n", img),
	}}...)
}

// Where Ironic fails every file:// deploy (2026.1), the error says why and what to do,
// and nothing is recorded: the next apply, with an http(s) image, deploys.
func TestAccDeployment_fileImageDefectExplained(t *testing.T) {
	if !testIronicDiffers(fileImageDeploysFail) {
		t.Skipf("this Ironic deploys file:// images (TestAccDeployment_ironicRewritesImageKeys covers them)")
	}
	filePath := filepath.Join(t.TempDir(), "os.img")
	if err := os.WriteFile(filePath, []byte("a file image"), 0o644); err != nil {
		t.Fatal(err)
	}
	name := testNodeName()
	cfg := imageConfig(t.TempDir(), fmt.Sprintf("resource \"baremetal_image\" \"os\" {\n  url = %q\n}\n", "file://"+filePath)) +
		machine{Name: name, Node: agentNode(t), InstanceInfo: "baremetal_image.os.instance_info"}.String()
	ironicTest(t, resource.TestStep{
		Config:      cfg,
		ExpectError: regexp.MustCompile(`(?s)Unable to deploy bare metal node.*no attribute 'url'.*Ironic\s+2026.1.*file://\s+image.*Serve\s+the\s+image\s+over\s+http\(s\).*No\s+deployment\s+was\s+recorded`),
	})
}

// A deployed node an operator services (a burn-in through the agent, API 1.87) is left
// to Ironic: while it is in servicing or service wait the plan is empty; once back in
// active, the plan is still empty.
// (A service hold cannot be reached this way: Ironic since 2024.2 drops the user's hold
// and wait steps in its step validation; planAs's unit test covers the hold states.)
func TestAccDeployment_servicingLeftToIronic(t *testing.T) {
	sc := testIronic(t)
	if mv := testNegotiated(t); !ironic.FeatureNamed("servicing").Available(mv) {
		t.Skipf("%s (servicing needs API 1.87)", ironic.FeatureNamed("servicing").Check(mv))
	}
	srv := newTestImageServer(t, []byte("os image "+testNodeName()))
	cache := t.TempDir()
	name := testNodeName()
	// The burn-in's length is the operator's driver_info setting, configured like the rest.
	cfg := deploymentConfig{Cache: cache, ImageURL: srv.URL, Name: name, Deployed: true,
		Node: agentNode(t, `agent_burnin_cpu_timeout = "20"`)}.String()
	waitFor := func(want ...string) {
		t.Helper()
		for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
			n, err := nodes.Get(context.Background(), sc, name).Extract()
			if err == nil && slices.Contains(want, n.ProvisionState) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("node %s did not reach %q: %+v %v", name, want, n, err)
			}
		}
	}
	ironicTest(t, []resource.TestStep{{
		Config: cfg,
	}, {
		PreConfig: func() {
			steps := []nodes.ServiceStep{{Interface: nodes.InterfaceDeploy, Step: "burnin_cpu"}}
			if err := nodes.ChangeProvisionState(context.Background(), sc, name, nodes.ProvisionStateOpts{Target: nodes.TargetService, ServiceSteps: steps}).ExtractErr(); err != nil {
				t.Fatal(err)
			}
			waitFor("service wait")
		},
		Config:   cfg,
		PlanOnly: true, // not deployed again, nor planned back to active
	}, {
		PreConfig: func() {
			waitFor("active")
			n, err := nodes.Get(context.Background(), sc, name).Extract()
			if err != nil {
				t.Fatal(err)
			}
			if log := strings.Join(testAgent(t).Log(n.UUID), "\n"); !strings.Contains(log, "burnin_cpu: stress-ng for 20s") {
				t.Fatalf("the agent ran no burn-in:\n%s", log)
			}
		},
		Config:   cfg,
		PlanOnly: true,
	}}...)
}

// A deployed node in service hold (an operator's hold step) stays in state, warned
// about and not fought. Unhold goes through Ironic's API; Ironic 35 then fails its own
// continuation (from service wait its state machine has no "done": upstream's unhold
// path is unreachable by API and broken alike), leaving "service failed". A failed
// servicing is the operator's, not the deployment's: the plan stays empty (never a
// redeploy, never an abort the operator did not ask for); once the operator aborted it
// back to active the disk keeps its image and the plan is still empty. (The harness records the hold:
// Ironic's API drops hold steps, see ironictest.Server.PutInServiceHold.)
func TestAccDeployment_serviceHoldKept(t *testing.T) {
	sc := testIronic(t)
	if mv := testNegotiated(t); !ironic.FeatureNamed("servicing").Available(mv) {
		t.Skipf("%s (service hold and unhold need API 1.87)", ironic.FeatureNamed("servicing").Check(mv))
	}
	image := []byte("os image " + testNodeName())
	srv := newTestImageServer(t, image)
	cache := t.TempDir()
	name := testNodeName()
	cfg := deploymentConfig{Cache: cache, ImageURL: srv.URL, Name: name, Node: agentNode(t), Deployed: true}.String()
	var uuid string
	ironicTest(t, []resource.TestStep{{
		Config: cfg,
		Check: checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			uuid = n.UUID
			return nil
		}),
	}, {
		PreConfig: func() {
			if err := testServer.PutInServiceHold(context.Background(), uuid); err != nil {
				t.Fatal(err)
			}
		},
		Config:   cfg,
		PlanOnly: true, // kept: not deployed again, not planned back to active
	}, {
		RefreshState: true, // read with a warning (ironic.HeldOrServiced), and kept in state as it is
		Check:        resource.TestCheckResourceAttr("baremetal_deployment.d", "provision_state", "service hold"),
	}, {
		PreConfig: func() {
			if err := nodes.ChangeProvisionState(context.Background(), sc, uuid, nodes.ProvisionStateOpts{Target: nodes.TargetUnhold}).ExtractErr(); err != nil {
				t.Fatal(err)
			}
			for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
				n, err := nodes.Get(context.Background(), sc, uuid).Extract()
				if err == nil && (n.ProvisionState == "service failed" || n.ProvisionState == "active" && n.TargetProvisionState == "") {
					t.Logf("after unhold: %q, last_error %q", n.ProvisionState, n.LastError)
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("node %s still moving after unhold: %+v %v", uuid, n, err)
				}
			}
		},
		Config:   cfg,
		PlanOnly: true, // a failed servicing is kept: not aborted, not deployed again
	}, {
		PreConfig: func() { // the operator aborts the failed servicing back to active
			n, err := nodes.Get(context.Background(), sc, uuid).Extract()
			if err != nil || n.ProvisionState != "service failed" {
				return
			}
			if err := nodes.ChangeProvisionState(context.Background(), sc, uuid, nodes.ProvisionStateOpts{Target: nodes.TargetAbort}).ExtractErr(); err != nil {
				t.Fatal(err)
			}
			for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
				n, err := nodes.Get(context.Background(), sc, uuid).Extract()
				if err == nil && n.ProvisionState == "active" && n.TargetProvisionState == "" {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("node %s not active after abort: %+v %v", uuid, n, err)
				}
			}
		},
		Config: cfg,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			expectNotReplaced("baremetal_deployment.d"), expectNotReplaced("baremetal_node.n"),
		}},
		ConfigStateChecks: []statecheck.StateCheck{expectDeployment("active")},
		Check:             checkDisk("baremetal_node.n", image),
	}, {
		Config:   cfg,
		PlanOnly: true,
	}}...)
}

// A node an operator (or the rescue action) put in rescue is held there: an unrelated
// apply leaves it in rescue and its plan is empty, a change that would rebuild it is a
// plan-time error naming the state, never an unrescue; once unrescued by hand the plan
// is empty again; and the final destroy tears the rescued node down (Ironic's deleted).
// Fake interfaces: the agent's real rescue is another test's.
func TestAccDeployment_rescueHeld(t *testing.T) {
	sc := testIronic(t)
	srv := newTestImageServer(t, []byte("os image "+testNodeName()))
	cache := t.TempDir()
	name := testNodeName()
	cfg := func(description, instanceInfo string) string {
		return deploymentConfig{Cache: cache, ImageURL: srv.URL, Name: name, Deployed: true, InstanceInfo: instanceInfo,
			Node: fmt.Sprintf(`driver = "fake-hardware"
  boot_interface   = "fake"
  deploy_interface = "fake"
  rescue_interface = "fake"
  description      = %q`, description)}.String()
	}
	move := func(target nodes.TargetProvisionState, want string) func() {
		return func() {
			opts := nodes.ProvisionStateOpts{Target: target}
			if target == nodes.TargetRescue {
				opts.RescuePassword = "s3cret"
			}
			err := nodes.ChangeProvisionState(context.Background(), sc, name, opts).ExtractErr()
			if err != nil {
				t.Fatal(err)
			}
			for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
				n, err := nodes.Get(context.Background(), sc, name).Extract()
				if err == nil && n.ProvisionState == want && n.TargetProvisionState == "" {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("node %s not %q after %s: %+v %v", name, want, target, n, err)
				}
			}
		}
	}
	rescued := func(want string) resource.TestCheckFunc {
		return checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if n.ProvisionState != want {
				return fmt.Errorf("node is %q, want %q (last_error %q)", n.ProvisionState, want, n.LastError)
			}
			return nil
		})
	}
	ironicTest(t, []resource.TestStep{{
		Config: cfg("web 1", ""),
		Check:  rescued("active"),
	}, {
		PreConfig: move(nodes.TargetRescue, "rescue"),
		Config:    cfg("web 1, in repair", ""), // an unrelated apply: the node is updated, the deployment not
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction("baremetal_node.n", plancheck.ResourceActionUpdate),
			plancheck.ExpectResourceAction("baremetal_deployment.d", plancheck.ResourceActionNoop),
		}},
		ConfigStateChecks: []statecheck.StateCheck{expectDeployment("rescue")},
		Check:             rescued("rescue"),
	}, {
		// A change that would rebuild it: refused at plan time, nothing touched.
		Config:      cfg("web 1, in repair", `merge(baremetal_image.os.instance_info, { root_gb = "10" })`),
		ExpectError: regexp.MustCompile(`(?s)Rebuild of a rescued node.*"rescue".*baremetal node unrescue`),
	}, {
		Config: cfg("web 1, in repair", ""),
		Check:  rescued("rescue"),
	}, {
		PreConfig:         move(nodes.TargetUnrescue, "active"),
		Config:            cfg("web 1, in repair", ""),
		ConfigStateChecks: []statecheck.StateCheck{expectDeployment("active")},
		Check:             rescued("active"),
	}, {
		PreConfig: move(nodes.TargetRescue, "rescue"), // the final destroy tears the rescued node down
		Config:    cfg("web 1, in repair", ""),
		Check:     rescued("rescue"),
	}}...)
}

// A rescued node stays rescued through an unrelated apply (the apply says so, and the
// deployment is left as it is), the plan is empty while it is rescued, and the unrescue
// action brings it back to active with an empty plan again. Fake interfaces: the agent's
// real rescue is another test's.
func TestAccDeployment_rescuedByActionHeld(t *testing.T) {
	testAccPreCheck(t)
	skipUnlessCLIHas(t, cliActions)
	name := testNodeName()
	images := newTestImageServer(t, []byte("os image "+name))
	cfg := func(description string) string {
		return deploymentConfig{Cache: t.TempDir(), ImageURL: images.URL, Name: name, Deployed: true,
			Node: fmt.Sprintf(`driver = "fake-hardware"
  boot_interface   = "fake"
  deploy_interface = "fake"
  rescue_interface = "fake"
  description      = %q`, description)}.String() + `
action "baremetal_node_unrescue" "done" {
  config {
    node_id = baremetal_node.n.id
  }
}
`
	}
	sc := testIronic(t)
	state := func(want string) {
		t.Helper()
		n, err := nodes.Get(t.Context(), sc, name).Extract()
		if err != nil || n.ProvisionState != want {
			t.Fatalf("node %v (%v), want %q", n, err, want)
		}
	}
	w := newCLIWorkspace(t)
	w.write(cfg("web 1"))
	w.apply()
	defer w.destroy()
	// Rescued as an operator does it: the rescue action's rescue_password is write-only,
	// which the framework (1.19) refuses in any action's configuration.
	if err := nodes.ChangeProvisionState(t.Context(), sc, name, nodes.ProvisionStateOpts{Target: nodes.TargetRescue, RescuePassword: "s3cret"}).ExtractErr(); err != nil {
		t.Fatal(err)
	}
	if _, err := testEngine(t).WaitStable(t.Context(), name); err != nil {
		t.Fatal(err)
	}
	state("rescue")
	w.expectEmptyPlan()
	w.write(cfg("web 1, in repair"))
	if out := w.apply(); !strings.Contains(out, "Bare metal node in rescue") || !strings.Contains(out, "baremetal node unrescue") {
		t.Fatalf("the apply did not say the node is held in rescue:\n%s", out)
	}
	state("rescue")
	w.expectEmptyPlan()
	w.invoke("baremetal_node_unrescue.done")
	state("active")
	w.expectEmptyPlan()
}
