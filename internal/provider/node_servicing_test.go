package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// A BIOS change on a deployed Redfish machine: Ironic's redfish BIOS interface and the
// real sushy library against the harness's BMC, the deploy through direct and the test
// agent. Without allow_servicing it is a plan-time error saying how to allow it. With
// it, the apply services the machine in place: the BMC gets the settings, reboots and
// applies them, the node is active again with the same instance_info, the agent never
// wrote the disk again and the next plan is empty. A value the BMC refuses fails the
// servicing: the error carries Ironic's last_error (the BMC's own message); Ironic put
// the node in maintenance for it, which the provider leaves to the operator and says
// how to lift; the deployment and disk are untouched and the next plan shows the change
// again (the deployment unchanged). With maintenance lifted, the corrected value is
// applied by the next apply: the failed servicing aborted back to active, then serviced. On an Ironic without servicing the opt-in is a plan-time error
// naming API 1.87.
func TestAccNode_biosChangeOnDeployedNode(t *testing.T) {
	sc := testIronic(t)
	image := []byte("os image " + testNodeName())
	srv := newTestImageServer(t, image)
	cache := t.TempDir()
	name := testNodeName()
	node := redfishNode(t, name)
	bmc := testBMC(t)
	cfg := func(nodeExtra string) string {
		return deploymentConfig{Cache: cache, ImageURL: srv.URL, Name: name, Node: node + "\n  " + nodeExtra, Deployed: true}.String()
	}
	bios := `bios_settings = { LogicalProc = "Disabled" }`
	var deployed *nodes.Node
	steps := []resource.TestStep{{
		Config: cfg(""),
		Check: checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			deployed = n
			if n.ProvisionState != "active" || n.Driver != "redfish" || n.PowerState != "power on" {
				return fmt.Errorf("deployed: %s %s %s", n.Driver, n.ProvisionState, n.PowerState)
			}
			return nil
		}),
	}, {
		Config:      cfg(bios),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)needs allow_servicing.*is active.*bios\.apply_configuration.*reboots.*allow_servicing\s+=\s+true`),
	}}
	mv := testNegotiated(t)
	if err := ironic.FeatureNamed("servicing").Check(mv); err != nil {
		ironicTest(t, append(steps, resource.TestStep{
			Config:      cfg(bios + "\n  allow_servicing = true"),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Not supported by this Ironic.*servicing.*needs\s+API\s+1\.87,\s+Ironic\s+23\.0`),
		})...)
		return
	}
	// keptIn checks that servicing left the deployment alone: the node in state (active,
	// or service failed), the same image, no second image write by the agent, the disk
	// as it was.
	keptIn := func(state string) error {
		n, err := nodes.Get(context.Background(), sc, deployed.UUID).Extract()
		if err != nil {
			return err
		}
		if n.ProvisionState != state || fmt.Sprint(n.InstanceInfo["image_source"]) != fmt.Sprint(deployed.InstanceInfo["image_source"]) ||
			!n.ProvisionUpdatedAt.After(deployed.ProvisionUpdatedAt) {
			return fmt.Errorf("after servicing: %q, instance_info %v (deployed with %v), provision updated %v (deployed %v)",
				n.ProvisionState, n.InstanceInfo, deployed.InstanceInfo, n.ProvisionUpdatedAt, deployed.ProvisionUpdatedAt)
		}
		log := strings.Join(testAgent(t).Log(n.UUID), "\n")
		if writes := strings.Count(log, "write_image:"); writes != 1 {
			return fmt.Errorf("the agent wrote the image %d times, want once (the deploy):\n%s", writes, log)
		}
		if disk, err := testAgent(t).Disk(n.UUID, len(image)); err != nil || string(disk) != string(image) {
			return fmt.Errorf("the disk no longer holds the image: %q %v", disk, err)
		}
		return nil
	}
	biosIs := func(attr, want string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if got := bmc.BIOS(name)[attr]; got != want {
				return fmt.Errorf("the BMC has %s = %q, want %q; it was asked: %v", attr, got, want, bmc.Requests(name))
			}
			return keptIn("active")
		}
	}
	serviced := bios + "\n  allow_servicing = true"
	refused := `bios_settings = { LogicalProc = "Disabled", WorkloadProfile = "Turbo" }` + "\n  allow_servicing = true"
	ironicTest(t, append(steps, resource.TestStep{
		Config:           cfg(serviced),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: servicedInPlace()},
		Check:            biosIs("LogicalProc", "Disabled"),
	}, resource.TestStep{
		Config: cfg(refused),
		ExpectError: regexp.MustCompile(`(?s)Unable to apply BIOS settings.*servicing\s+failed:\s+running\s+bios\.apply_configuration.*"service\s+failed":` +
			`.*Turbo\s+for\s+the\s+property\s+WorkloadProfile\s+is\s+not\s+in\s+the\s+list.*Ironic\s+put\s+node\s+\S+\s+in\s+maintenance` +
			`.*stays\s+in\s+"service\s+failed".*baremetal\s+node\s+maintenance\s+unset.*next\s+plan\s+shows\s+the\s+change\s+again`),
	}, resource.TestStep{
		PreConfig: func() {
			if err := keptIn("service failed"); err != nil {
				t.Fatal(err)
			}
		},
		Config:             cfg(refused),
		ConfigPlanChecks:   resource.ConfigPlanChecks{PostApplyPreRefresh: servicedInPlace(), PostApplyPostRefresh: servicedInPlace()},
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
	}, resource.TestStep{
		PreConfig: func() { // the operator checked the machine and lifts maintenance
			if err := nodes.UnsetMaintenance(context.Background(), sc, deployed.UUID).ExtractErr(); err != nil {
				t.Fatal(err)
			}
		},
		Config:           cfg(`bios_settings = { LogicalProc = "Enabled", WorkloadProfile = "LowLatency" }` + "\n  allow_servicing = true"),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: servicedInPlace()},
		Check:            resource.ComposeTestCheckFunc(biosIs("LogicalProc", "Enabled"), biosIs("WorkloadProfile", "LowLatency")),
	})...)
}

// A runbook run on a deployed machine by servicing, once per runbook_version: the
// node's traits approve it, the plan names it, the test agent runs its step
// (deploy.burnin_cpu, for the node's agent_burnin_cpu_timeout), the node is active
// again with its disk as it was, an unchanged version never runs it again and a new
// one does. Without allow_servicing it is a plan-time error.
func TestAccNode_runbookServicesDeployedNode(t *testing.T) {
	if mv := testNegotiated(t); !ironic.FeatureNamed("runbooks").Available(mv) {
		t.Skipf("%s", ironic.FeatureNamed("runbooks").Check(mv))
	}
	image := []byte("os image " + testNodeName())
	srv := newTestImageServer(t, image)
	cache := t.TempDir()
	name := testNodeName()
	rb := templateName()
	cfg := func(nodeExtra string) string {
		node := agentNode(t, `agent_burnin_cpu_timeout = "3"`)
		c := deploymentConfig{Cache: cache, ImageURL: srv.URL, Name: name, Node: node + fmt.Sprintf("\n  traits = [%q]\n  %s", rb, nodeExtra),
			Deployed: true}.String()
		return c + fmt.Sprintf(`
resource "baremetal_runbook" "burnin" {
  name  = %q
  steps = jsonencode([{ interface = "deploy", step = "burnin_cpu", order = 1 }])
}
`, rb)
	}
	runbook := func(version int) string {
		return fmt.Sprintf("runbook = baremetal_runbook.burnin.name\n  runbook_version = %d", version)
	}
	run := func(version int) string { return runbook(version) + "\n  allow_servicing = true" }
	burnins := func(want int) func(*terraform.State) error {
		return func(s *terraform.State) error {
			id, err := stateID(s, "baremetal_node.n")
			if err != nil {
				return err
			}
			log := strings.Join(testAgent(t).Log(id), "\n")
			if got := strings.Count(log, "burnin_cpu: stress-ng for 3s"); got != want {
				return fmt.Errorf("the agent ran the burn-in %d times, want %d:\n%s", got, want, log)
			}
			return nil
		}
	}
	ironicTest(t, resource.TestStep{
		Config: cfg(""),
	}, resource.TestStep{
		Config:      cfg(runbook(1)),
		PlanOnly:    true,
		ExpectError: regexp.MustCompile(`(?s)needs allow_servicing.*the\s+steps\s+of\s+runbook\s+` + rb),
	}, resource.TestStep{
		Config:           cfg(run(1)),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: servicedInPlace()},
		Check: resource.ComposeTestCheckFunc(burnins(1), checkDisk("baremetal_node.n", image),
			checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
				if n.ProvisionState != "active" {
					return fmt.Errorf("node is %q after servicing", n.ProvisionState)
				}
				return nil
			})),
	}, resource.TestStep{
		Config: cfg(run(2)),
		Check:  resource.ComposeTestCheckFunc(burnins(2), checkDisk("baremetal_node.n", image)),
	}, resource.TestStep{
		Config:   cfg(run(2)),
		PlanOnly: true, // not again
	})
}

// A runbook run on a node that is not deployed, by manual cleaning, once per
// runbook_version: Ironic's conductor executes its step (fake-hardware's
// vendor.log_passthrough) and the node rests where it was; a runbook the node's traits
// do not approve is a plan-time error.
func TestAccNode_runbookCleansRestingNode(t *testing.T) {
	if mv := testNegotiated(t); !ironic.FeatureNamed("runbooks").Available(mv) {
		t.Skipf("%s", ironic.FeatureNamed("runbooks").Check(mv))
	}
	name, rb := testNodeName(), templateName()
	cfg := func(traits string, version int) string {
		return providerBlock + fmt.Sprintf(`
resource "baremetal_runbook" "log" {
  name  = %[1]q
  steps = jsonencode([{ interface = "vendor", step = "log_passthrough", order = 1 }])
}
resource "baremetal_node" "n" {
  name                   = %[2]q
  driver                 = "fake-hardware"
  vendor_interface       = "fake"
  target_provision_state = "manageable"
  traits                 = %[3]s
  runbook                = baremetal_runbook.log.name
  runbook_version        = %[4]d
}
`, rb, name, traits, version)
	}
	ran := func(want int) func(*terraform.State) error {
		return conductorRan("baremetal_node.n", "log_passthrough", want)
	}
	approved := fmt.Sprintf("[%q]", rb)
	ironicTest(t, resource.TestStep{
		Config:      cfg("[]", 1),
		ExpectError: regexp.MustCompile(`(?s)traits do not approve the runbook.*add "` + rb + `" to traits`),
	}, resource.TestStep{
		Config: cfg(approved, 1),
		Check:  resource.ComposeTestCheckFunc(ran(1), resource.TestCheckResourceAttr("baremetal_node.n", "provision_state", "manageable")),
	}, resource.TestStep{
		Config: cfg(approved, 2),
		Check:  ran(2),
	})
}

// conductorRan checks that Ironic's conductor executed the step (by name) on the node at
// addr want times, as its log says.
func conductorRan(addr, step string, want int) func(*terraform.State) error {
	return func(s *terraform.State) error {
		id, err := stateID(s, addr)
		if err != nil {
			return err
		}
		log, _ := os.ReadFile(filepath.Join(testServer.Dir, "log", "ironic.log"))
		got := 0
		for _, line := range strings.Split(string(log), "\n") {
			if strings.Contains(line, "Executing {") && strings.Contains(line, "'"+step+"'") && strings.Contains(line, "on node "+id) {
				got++
			}
		}
		if got != want {
			return fmt.Errorf("Ironic executed %s on %s %d times, want %d", step, id, got, want)
		}
		return nil
	}
}

// Firmware flashed by manual cleaning when firmware_updates changes, through the
// firmware interface's update step (the fake one records the request), not again on an
// unchanged list; the data source lists the node's firmware components. Where the Ironic
// lacks firmware (API 1.86), a plan-time error naming it.
func TestAccNode_firmwareUpdatesByCleaning(t *testing.T) {
	name := testNodeName()
	cfg := func(version string) string {
		return providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name                   = %q
  driver                 = "fake-hardware"
  firmware_interface     = "fake"
  target_provision_state = "manageable"
  firmware_updates = [
    { component = "bmc", url = "http://127.0.0.1/firmware/bmc-%s.bin", wait = 30 },
    { component = "bios", url = "http://127.0.0.1/firmware/bios-%s.bin" },
  ]
}
data "baremetal_node" "n" {
  id = baremetal_node.n.id
}
`, name, version, version)
	}
	if mv := testNegotiated(t); !ironic.FeatureNamed("firmware_interface").Available(mv) {
		ironicTest(t, resource.TestStep{
			Config:      cfg("2.1"),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Not supported by this Ironic.*firmware_interface.*needs\s+API\s+1\.86`),
		})
		return
	}
	ironicTest(t, resource.TestStep{
		Config: cfg("2.1"),
		Check: resource.ComposeTestCheckFunc(conductorRan("baremetal_node.n", "update", 1),
			resource.TestCheckResourceAttr("baremetal_node.n", "provision_state", "manageable"),
			resource.TestCheckResourceAttr("data.baremetal_node.n", "firmware_components.#", "0")),
	}, resource.TestStep{
		Config: cfg("2.1"),
		Check:  conductorRan("baremetal_node.n", "update", 1), // not again
	}, resource.TestStep{
		Config: cfg("2.2"),
		Check:  conductorRan("baremetal_node.n", "update", 2),
	})
}

// servicedInPlace: the plan changes the node and leaves its deployment as it is.
func servicedInPlace() []plancheck.PlanCheck {
	return []plancheck.PlanCheck{
		plancheck.ExpectResourceAction("baremetal_node.n", plancheck.ResourceActionUpdate),
		unchangedInPlan("baremetal_deployment.d"),
	}
}

// unchangedInPlan fails a plan that changes the resource at addr, naming each attribute
// the plan changes (its value in state and in the plan, or that the plan leaves it unknown).
func unchangedInPlan(addr string) plancheck.PlanCheck { return unchanged(addr) }

type unchanged string

func (a unchanged) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != string(a) || rc.Change.Actions.NoOp() {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		unknown, _ := rc.Change.AfterUnknown.(map[string]any)
		var diffs []string
		for k, b := range before {
			if unknown[k] == true {
				diffs = append(diffs, fmt.Sprintf("%s: %v -> (known after apply)", k, b))
			} else if fmt.Sprint(after[k]) != fmt.Sprint(b) {
				diffs = append(diffs, fmt.Sprintf("%s: %v -> %v", k, b, after[k]))
			}
		}
		slices.Sort(diffs)
		resp.Error = fmt.Errorf("%s is planned %v, want no change: %s", a, rc.Change.Actions, strings.Join(diffs, "; "))
	}
}

// firmwareServer serves firmware packages for the harness's BMC: /<component>-<version>.bin.
func firmwareServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		component, version, ok := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), ".bin"), "-")
		if !ok || strings.HasPrefix(version, "missing") {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(ironictest.FirmwarePackage(component, version))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// operatorServices runs a servicing on an active node the way an operator would with the
// CLI, outside Terraform: a BIOS step asking for the value the BIOS already has (Ironic
// then skips the reboot), and waits until the node is active again.
func operatorServices(t *testing.T, id string) {
	t.Helper()
	sc := testIronic(t)
	ctx := context.Background()
	steps := []nodes.ServiceStep{{Interface: "bios", Step: "apply_configuration",
		Args: map[string]any{"settings": []map[string]string{{"name": "LogicalProc", "value": "Enabled"}}}}}
	if err := nodes.ChangeProvisionState(ctx, sc, id, nodes.ProvisionStateOpts{Target: nodes.TargetService, ServiceSteps: steps}).ExtractErr(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if n, err := testEngine(t).WaitStable(ctx, id); err != nil || n.ProvisionState != "active" {
		t.Fatalf("the operator's servicing: %v %v", n, err)
	}
}

// Firmware flashed by Ironic's redfish firmware interface through the harness's BMC
// (SimpleUpdate: the BMC downloads the package, a BIOS flash completes at the power
// cycle Ironic makes): by manual cleaning on a node at rest, with the agent booted for
// it, then by servicing once the node is deployed (allow_servicing), the deployment and
// disk untouched. The flashed versions are read back from the node's firmware
// components; an unchanged list flashes nothing again. A BIOS flashed outside the
// configuration shows, once Ironic read the components again (an operator's servicing),
// as drift: the plan flashes the list again, and the apply puts the version back. A BMC package the BMC cannot
// download is taken as flashed by Ironic (its update task ends, the version stays): the
// version the entry names catches it, the error says so, the node stays active and the
// next plan flashes the list again.
func TestAccNode_firmwareUpdatesOnRedfish(t *testing.T) {
	if mv := testNegotiated(t); !ironic.FeatureNamed("servicing").Available(mv) {
		t.Skipf("%s", ironic.FeatureNamed("servicing").Check(mv))
	}
	fw := firmwareServer(t)
	image := []byte("os image " + testNodeName())
	srv := newTestImageServer(t, image)
	cache := t.TempDir()
	name := testNodeName()
	node := redfishNode(t, name)
	bmc := testBMC(t)
	cfg := func(target, updates string, deployed bool) string {
		extra := fmt.Sprintf("firmware_interface = \"redfish\"\n  firmware_updates = [%s]\n  allow_servicing = true", updates)
		return deploymentConfig{Cache: cache, ImageURL: srv.URL, Name: name, Target: target, Node: node + "\n  " + extra, Deployed: deployed, More: `
data "baremetal_node" "n" {
  id = baremetal_node.n.id
}
`}.String()
	}
	update := func(component, version string) string {
		return fmt.Sprintf("{ component = %q, url = \"%s/%s-%s.bin\", wait = 1, version = %q },", component, fw.URL, component, version,
			strings.TrimPrefix(version, "missing-"))
	}
	flashes := func(want int) resource.TestCheckFunc {
		return func(*terraform.State) error {
			got := 0
			for _, r := range bmc.Requests(name) {
				if strings.HasPrefix(r, "SimpleUpdate ") {
					got++
				}
			}
			if got != want {
				return fmt.Errorf("the BMC was asked for %d firmware updates, want %d: %v", got, want, bmc.Requests(name))
			}
			return nil
		}
	}
	versions := func(bios, bmcVersion string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if b, m := bmc.FirmwareVersions(name); b != bios || m != bmcVersion {
				return fmt.Errorf("the BMC has BIOS %s and BMC %s, want %s and %s", b, m, bios, bmcVersion)
			}
			return nil
		}
	}
	component := func(name, initial, current, flashed string) resource.TestCheckFunc {
		return resource.TestCheckTypeSetElemNestedAttrs("data.baremetal_node.n", "firmware_components.*", map[string]string{
			"component": name, "initial_version": initial, "current_version": current, "last_version_flashed": flashed,
		})
	}
	var deployedAt *nodes.Node
	ironicTest(t, resource.TestStep{
		Config: cfg("manageable", update("bios", "2.1.0"), false),
		Check: resource.ComposeTestCheckFunc(flashes(1), versions("2.1.0", "1.0.0"),
			resource.TestCheckResourceAttr("baremetal_node.n", "provision_state", "manageable"),
			component("bios", "1.0.0", "2.1.0", "2.1.0")),
	}, resource.TestStep{
		Config: cfg("available", update("bios", "2.1.0"), true),
		Check: resource.ComposeTestCheckFunc(flashes(1), checkDisk("baremetal_node.n", image), // not flashed again
			checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
				deployedAt = n
				return nil
			})),
	}, resource.TestStep{
		Config:           cfg("available", update("bios", "2.2.0")+update("bmc", "1.1.0"), true),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: servicedInPlace()},
		Check: resource.ComposeTestCheckFunc(flashes(3), versions("2.2.0", "1.1.0"), checkDisk("baremetal_node.n", image),
			component("bios", "1.0.0", "2.2.0", "2.2.0"), component("bmc", "1.0.0", "1.1.0", "1.1.0"),
			checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
				if n.ProvisionState != "active" || !n.ProvisionUpdatedAt.After(deployedAt.ProvisionUpdatedAt) ||
					fmt.Sprint(n.InstanceInfo["image_source"]) != fmt.Sprint(deployedAt.InstanceInfo["image_source"]) {
					return fmt.Errorf("after servicing: %s, %v", n.ProvisionState, n.InstanceInfo)
				}
				return nil
			})),
	}, resource.TestStep{
		PreConfig: func() {
			bmc.FlashOutOfBand(name, "bios", "2.3.0")
			operatorServices(t, deployedAt.UUID) // Ironic reads the components at its start and end
		},
		Config:             cfg("available", update("bios", "2.2.0")+update("bmc", "1.1.0"), true),
		ConfigPlanChecks:   resource.ConfigPlanChecks{PostApplyPostRefresh: servicedInPlace()},
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
	}, resource.TestStep{
		Config: cfg("available", update("bios", "2.2.0")+update("bmc", "1.1.0"), true),
		Check:  resource.ComposeTestCheckFunc(flashes(5), versions("2.2.0", "1.1.0"), component("bios", "1.0.0", "2.2.0", "2.2.0")),
	}, resource.TestStep{
		Config: cfg("available", update("bios", "2.2.0")+update("bmc", "missing-1.2.0"), true),
		ExpectError: regexp.MustCompile(`(?s)servicing\s+failed.*Ironic\s+ran\s+the\s+firmware\s+update,\s+but\s+bmc\s+reports\s+version\s+1\.1\.0,\s+not\s+1\.2\.0` +
			`.*brought\s+back\s+to\s+"active"`),
	}, resource.TestStep{
		Config:             cfg("available", update("bios", "2.2.0")+update("bmc", "missing-1.2.0"), true),
		ConfigPlanChecks:   resource.ConfigPlanChecks{PostApplyPreRefresh: servicedInPlace()},
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
	}, resource.TestStep{
		Config: cfg("available", update("bios", "2.2.0")+update("bmc", "1.2.0"), true),
		Check: resource.ComposeTestCheckFunc(versions("2.2.0", "1.2.0"), checkDisk("baremetal_node.n", image),
			component("bmc", "1.0.0", "1.2.0", "1.2.0"), checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
				if n.ProvisionState != "active" || n.Maintenance {
					return fmt.Errorf("after servicing: %s, maintenance %v", n.ProvisionState, n.Maintenance)
				}
				return nil
			})),
	})
}
