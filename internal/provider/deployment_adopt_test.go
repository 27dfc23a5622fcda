package provider

import (
	"bytes"
	"cmp"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// handInstalled is a machine whose system was installed outside Ironic: its disk file
// holds these bytes before the adoption, and must hold exactly them afterwards.
type handInstalled struct {
	t      *testing.T
	name   string // the node's name and its BMC system's
	disk   []byte
	resets int // the BMC's resets when the disk was written
}

func newHandInstalled(t *testing.T, name string) *handInstalled {
	return &handInstalled{t: t, name: name, disk: []byte("hand-installed OS of " + name + ": bootloader, root fs, /etc/hostname\x00\x01\x02")}
}

// install writes the system to the node's disk file and notes the BMC's resets so far.
func (h *handInstalled) install(s *terraform.State) error {
	id, err := stateID(s, "baremetal_node.n")
	if err != nil {
		return err
	}
	h.resets = len(testServer.BMC.Resets(h.name))
	return os.WriteFile(testServer.Agent.DiskPath(id), h.disk, 0o600)
}

// untouched checks that the disk file is byte-identical and that the BMC received no
// power action since install.
func (h *handInstalled) untouched(s *terraform.State) error {
	id, err := stateID(s, "baremetal_node.n")
	if err != nil {
		return err
	}
	got, err := os.ReadFile(testServer.Agent.DiskPath(id))
	if err != nil {
		return err
	}
	if !bytes.Equal(got, h.disk) {
		return fmt.Errorf("the disk of node %s changed: %q, want %q; agent log:\n%s", id, got[:min(len(got), 60)], h.disk,
			strings.Join(testServer.Agent.Log(id), "\n"))
	}
	if resets := testServer.BMC.Resets(h.name); len(resets) != h.resets {
		return fmt.Errorf("the BMC received power actions during the adoption: %v", resets[h.resets:])
	}
	return nil
}

// A machine installed by hand, enrolled and managed, is adopted to active: Ironic
// records its instance_info, its disk stays byte-identical and its BMC sees no power
// action. Removing the adopted deployment is refused at plan time until on_destroy says
// what happens to the disk; on_destroy = "keep" is recorded without touching Ironic, and
// the removal then leaves the node active and the disk as it was.
func TestAccDeployment_adoptHandInstalled(t *testing.T) {
	name := testNodeName()
	srv := newTestImageServer(t, []byte("os image "+name))
	cache := t.TempDir()
	node := redfishNode(t, name)
	h := newHandInstalled(t, name)
	cfg := func(deployment string) string {
		return deploymentConfig{Cache: cache, ImageURL: srv.URL, Name: name, Target: "manageable", Node: node,
			Deployed: deployment != "", Deployment: deployment}.String()
	}
	var adoptedAt string
	ironicTest(t, resource.TestStep{
		Config: cfg(""),
		Check:  resource.ComposeTestCheckFunc(expectRemoteState("manageable"), h.install),
	}, resource.TestStep{
		Config: cfg("adopt = true\n  allow_rebuild = false"),
		ConfigStateChecks: []statecheck.StateCheck{expectDeployment("active"),
			statecheck.ExpectKnownValue("baremetal_deployment.d", tfjsonpath.New("adopt"), knownvalue.Bool(true)),
			statecheck.ExpectKnownValue("baremetal_deployment.d", tfjsonpath.New("on_destroy"), knownvalue.Null())},
		Check: resource.ComposeTestCheckFunc(h.untouched, checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if n.ProvisionState != "active" || !strings.HasSuffix(fmt.Sprint(n.InstanceInfo["image_source"]), "/images/os.qcow2") {
				return fmt.Errorf("node is %q with instance_info %v", n.ProvisionState, n.InstanceInfo)
			}
			adoptedAt = fmt.Sprint(n.ProvisionUpdatedAt)
			return nil
		})),
	}, resource.TestStep{
		Config:      cfg(""), // the deployment removed, nothing decided
		ExpectError: regexp.MustCompile(`(?s)Destroy of an adopted deployment needs a decision.*on_destroy = "keep".*Nothing\s+was\s+changed`),
	}, resource.TestStep{
		Config: cfg("adopt = true\n  allow_rebuild = false\n  on_destroy = \"keep\""),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction("baremetal_deployment.d", plancheck.ResourceActionUpdate),
		}},
		Check: resource.ComposeTestCheckFunc(h.untouched, checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if now := fmt.Sprint(n.ProvisionUpdatedAt); n.ProvisionState != "active" || now != adoptedAt {
				return fmt.Errorf("recording on_destroy moved the node: %q, provision_updated_at %s (was %s)", n.ProvisionState, now, adoptedAt)
			}
			return nil
		})),
	}, resource.TestStep{
		Config: cfg(""), // removed with on_destroy = "keep": forgotten, the machine kept
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction("baremetal_deployment.d", plancheck.ResourceActionDestroy),
		}},
		Check: resource.ComposeTestCheckFunc(h.untouched, expectRemoteState("active"), checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if now := fmt.Sprint(n.ProvisionUpdatedAt); now != adoptedAt || n.InstanceInfo["image_source"] == nil {
				return fmt.Errorf("the kept node moved: provision_updated_at %s (was %s), instance_info %v", now, adoptedAt, n.InstanceInfo)
			}
			return nil
		})),
	})
}

// An adoption Ironic refuses (a ramdisk-booted machine whose instance_info names the
// kernel but not the ramdisk its PXE boot needs: 21.4 and 2026.1 both check that pair) stops in "adopt failed" with Ironic's
// last_error and records nothing; the fixed configuration's apply adopts it from there.
// The disk is never written and the BMC never reset, neither by the failure nor by the
// retry. on_destroy = "undeploy" then lets the deployment go through Ironic's teardown.
func TestAccDeployment_adoptFailedRetried(t *testing.T) {
	name := testNodeName()
	srv := newTestImageServer(t, []byte("os image "+name))
	cache := t.TempDir()
	node := strings.Replace(redfishNode(t, name), `deploy_interface = "direct"`, `deploy_interface = "ramdisk"`, 1)
	h := newHandInstalled(t, name)
	cfg := func(instanceInfo string, deployed bool, target ...string) string {
		return deploymentConfig{Cache: cache, ImageURL: srv.URL, Name: name, Target: cmp.Or(strings.Join(target, ""), "manageable"), Node: node, Deployed: deployed,
			InstanceInfo: instanceInfo, Deployment: "adopt = true\n  on_destroy = \"undeploy\""}.String()
	}
	kernelOnly := fmt.Sprintf(`merge(baremetal_image.os.instance_info, { kernel = "%s/images/os.qcow2" })`, srv.URL)
	fixed := fmt.Sprintf(`merge(baremetal_image.os.instance_info, { kernel = "%[1]s/images/os.qcow2", ramdisk = "%[1]s/images/os.qcow2" })`, srv.URL)
	ironicTest(t, resource.TestStep{
		Config: cfg("", false),
		Check:  resource.ComposeTestCheckFunc(expectRemoteState("manageable"), h.install),
	}, resource.TestStep{
		Config:      cfg(kernelOnly, true),
		ExpectError: regexp.MustCompile(`(?s)Unable to adopt bare metal node.*stopped\s+in\s+state\s+"adopt\s+failed".*Missing\s+are:\s+\['ramdisk'\].*No\s+deployment\s+was\s+recorded.*adopt\s+again`),
	}, resource.TestStep{
		Config: cfg("", false),
		Check:  resource.ComposeTestCheckFunc(expectRemoteState("adopt failed"), h.untouched),
	}, resource.TestStep{
		Config: cfg(fixed, true),
		ConfigStateChecks: []statecheck.StateCheck{expectDeployment("active"),
			statecheck.ExpectKnownValue("baremetal_deployment.d", tfjsonpath.New("last_error"), knownvalue.Null())},
		Check: resource.ComposeTestCheckFunc(h.untouched, expectRemoteState("active")),
	}, resource.TestStep{
		Config: cfg(fixed, false, "available"), // on_destroy = "undeploy": Ironic's teardown, to available
		Check: checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if !slices.Contains([]string{"available", "manageable"}, n.ProvisionState) {
				return fmt.Errorf("undeployed node is %q", n.ProvisionState)
			}
			return nil
		}),
	})
}

// A node using Ironic 2026.1's noop deploy interface is never deployed, only adopted: a
// deployment without adopt is refused before anything is sent (Ironic would report it
// active with nothing written), and its adoption brings it to active. (Ironic 35.0.1
// accepts noop on fake-hardware nodes only.)
func TestAccDeployment_adoptNoopInterface(t *testing.T) {
	testAccPreCheck(t)
	if testServer == nil || !testServer.NoopDeploy {
		t.Skip("the Ironic under test has no noop deploy interface (Ironic 2026.1 has it: BAREMETAL_TEST_IRONIC=current)")
	}
	name := testNodeName()
	cfg := func(target, deployment string) string {
		hcl := fmt.Sprintf(`
resource "baremetal_node" "n" {
  name                   = %q
  driver                 = "fake-hardware"
  deploy_interface       = "noop"
  target_provision_state = %q
}
`, name, target)
		if deployment != "" {
			hcl += fmt.Sprintf(`
resource "baremetal_deployment" "d" {
  node_id       = baremetal_node.n.id
  instance_info = { image_source = "https://images.example/legacy.img", image_checksum = "0123456789abcdef0123456789abcdef" }
  %s
}
`, deployment)
		}
		return hcl
	}
	ironicTest(t, resource.TestStep{
		Config:      cfg("available", "allow_rebuild = false"),
		ExpectError: regexp.MustCompile(`(?s)uses\s+Ironic's\s+"noop"\s+deploy\s+interface.*nothing\s+written.*set\s+adopt\s+=\s+true`),
	}, resource.TestStep{
		Config: cfg("manageable", ""),
		Check:  expectRemoteState("manageable"),
	}, resource.TestStep{
		Config:            cfg("manageable", "adopt = true\n  on_destroy = \"undeploy\""),
		ConfigStateChecks: []statecheck.StateCheck{expectDeployment("active")},
		Check:             expectRemoteState("active"),
	})
}

// The destroy rule as the plan applies it: an adopted deployment without on_destroy is
// an error naming on_destroy; "keep" warns; a deployment Ironic deployed undeploys
// quietly; a change of node_id (or one known only at apply) is a replacement.
func TestPlanDestroyOfAnAdoptedDeployment(t *testing.T) {
	for _, c := range []struct {
		adopt           bool
		onDestroy       string
		errors, warns   int
		applyGoesOnWith bool
	}{
		{true, "", 1, 0, false},
		{true, "keep", 0, 1, false},
		{true, "undeploy", 0, 0, true},
		{false, "", 0, 0, true},
		{false, "keep", 0, 1, false},
	} {
		state := deploymentResourceModel{ID: types.StringValue("n1"), Adopt: types.BoolValue(c.adopt), OnDestroy: types.StringNull()}
		if c.onDestroy != "" {
			state.OnDestroy = types.StringValue(c.onDestroy)
		}
		var diags diag.Diagnostics
		planDestroy(&state, "destroy", &diags)
		if diags.ErrorsCount() != c.errors || diags.WarningsCount() != c.warns {
			t.Errorf("%v %q: %v", c.adopt, c.onDestroy, diags)
		}
		if c.errors > 0 && !strings.Contains(fmt.Sprint(diags), "on_destroy") {
			t.Errorf("the error does not name on_destroy: %v", diags)
		}
		var applied diag.Diagnostics
		if got := destroyDecided(&state, &applied); got != c.applyGoesOnWith || applied.ErrorsCount() != c.errors {
			t.Errorf("%v %q: the apply goes on %v, want %v (%v)", c.adopt, c.onDestroy, got, c.applyGoesOnWith, applied)
		}
	}
	st := &deploymentResourceModel{NodeID: types.StringValue("a")}
	for plan, want := range map[types.String]bool{types.StringValue("a"): false, types.StringValue("b"): true, types.StringUnknown(): true} {
		if replaced(&deploymentResourceModel{NodeID: plan}, st) != want {
			t.Errorf("node_id %v: replaced %v", plan, !want)
		}
	}
}
