package provider

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// The provision actions (rebuild, clean, inspect, service, rescue and unrescue) on the
// harness's machines, driven as a user drives them: terraform apply -invoke with the CLI
// under test.

// remoteNode is the node as Ironic has it now.
func remoteNode(t *testing.T, id string) *nodes.Node {
	t.Helper()
	n, err := nodes.Get(t.Context(), testIronic(t), id).Extract()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// expectNodeState fails unless Ironic has the node at rest in state.
func expectNodeState(t *testing.T, id, state string) *nodes.Node {
	t.Helper()
	n := remoteNode(t, id)
	if n.ProvisionState != state || n.TargetProvisionState != "" {
		t.Fatalf("node %s is %q (target %q), not %q; last_error %q", id, n.ProvisionState, n.TargetProvisionState, state, n.LastError)
	}
	return n
}

// diskStarts fails unless the disk of the node begins with want.
func diskStarts(t *testing.T, uuid string, want []byte) {
	t.Helper()
	got, err := testServer.Agent.Disk(uuid, len(want))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("the disk of %s starts %q, not %q; agent log:\n%s", uuid, got[:min(len(got), 40)], want[:min(len(want), 40)],
			strings.Join(testServer.Agent.Log(uuid), "\n"))
	}
}

// nodeHistory is the node's history (API 1.78): one "<event_type>: <event>" a record.
func nodeHistory(t *testing.T, uuid string) []string {
	t.Helper()
	sc := testIronic(t)
	var out struct {
		History []struct {
			EventType string `json:"event_type"`
			Event     string `json:"event"`
		} `json:"history"`
	}
	resp, err := sc.Get(t.Context(), sc.ServiceURL("nodes", uuid, "history"), &out,
		&gophercloud.RequestOpts{MoreHeaders: map[string]string{"X-OpenStack-Ironic-API-Version": "1.78"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var h []string
	for _, e := range out.History {
		h = append(h, e.EventType+": "+e.Event)
	}
	return h
}

// flat is the CLI's output with its line wrapping undone: every run of white space one
// space.
func flat(out string) string { return strings.Join(strings.Fields(out), " ") }

// progressShown fails unless the CLI output shows the action's progress: a line with the
// node's state while it waited (one of states) and the time elapsed.
func progressShown(t *testing.T, out, name string, states ...string) {
	t.Helper()
	re := regexp.MustCompile(fmt.Sprintf(`node %s: provision state "(%s)"[^\n]*\(\d+s\)`, regexp.QuoteMeta(name), strings.Join(states, "|")))
	if !re.MatchString(out) {
		t.Fatalf("no progress line with state %q and the time elapsed in the output:\n%s", states, out)
	}
}

const rebuildAction = `
action "baremetal_deployment_rebuild" "r" {
  config {
    node_id = baremetal_deployment.d.node_id
  }
}
`

// A deployed machine whose disk was overwritten is rebuilt in place by the action
// through direct: the disk holds the image again, the node keeps its UUID, Ironic did
// not clean it, the CLI showed the progress, and the plan afterwards is empty. Protected,
// the same action is refused before anything is sent: the node stays active and its
// disk untouched.
func TestAccDeploymentRebuildAction_invoke(t *testing.T) {
	testAccPreCheck(t)
	skipUnlessCLIHas(t, cliActions)
	name := testNodeName()
	image := []byte("os image to rebuild " + name)
	images := newTestImageServer(t, image)
	cfg := deploymentConfig{Cache: t.TempDir(), ImageURL: images.URL, Name: name, Node: agentNode(t), Deployed: true}
	w := newCLIWorkspace(t)
	w.write(cfg.String() + rebuildAction)
	w.apply()
	defer w.destroy()
	node := expectNodeState(t, name, "active")
	diskStarts(t, node.UUID, image)

	// Out of band, the disk is overwritten: what a broken upgrade or a wrong dd leaves.
	disk, err := os.OpenFile(testServer.Agent.DiskPath(node.UUID), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	garbage := []byte(strings.Repeat("X", len(image)))
	if _, err := disk.WriteAt(garbage, 0); err != nil {
		t.Fatal(err)
	}
	disk.Close()
	diskStarts(t, node.UUID, garbage)

	out := w.invoke("baremetal_deployment_rebuild.r")
	progressShown(t, out, name, "deploying", "wait call-back", "rebuild")
	after := expectNodeState(t, node.UUID, "active")
	if after.UUID != node.UUID || after.Name != name {
		t.Fatalf("rebuilt as another node: %s %s", after.UUID, after.Name)
	}
	diskStarts(t, node.UUID, image)
	if got := strings.Count(strings.Join(testServer.Agent.Steps(node.UUID), "\n"), "deploy.write_image"); got != 2 {
		t.Fatalf("the image was written %d times, not twice (deploy, rebuild): %v", got, testServer.Agent.Steps(node.UUID))
	}
	for what, lines := range map[string][]string{"agent's log": testServer.Agent.Log(node.UUID), "node's history": nodeHistory(t, node.UUID),
		"agent's steps": testServer.Agent.Steps(node.UUID)} {
		if text := strings.Join(lines, "\n"); strings.Contains(text, "clean") {
			t.Fatalf("the rebuild cleaned the node; the %s says:\n%s", what, text)
		}
	}
	w.expectEmptyPlan()

	// Protected: refused with the reason before anything is sent.
	cfg.Deployment = `protected = true`
	w.write(cfg.String() + rebuildAction)
	w.apply()
	steps := len(testServer.Agent.Steps(node.UUID))
	if _, err := os.Stat(testServer.Agent.DiskPath(node.UUID)); err != nil {
		t.Fatal(err)
	}
	out = w.fails("apply", "-auto-approve", "-input=false", "-invoke=action.baremetal_deployment_rebuild.r")
	if !regexp.MustCompile(`Unable to rebuild bare metal node.*is protected: Ironic refuses to rebuild it; nothing was changed`).MatchString(flat(out)) {
		t.Fatalf("not refused as protected:\n%s", out)
	}
	expectNodeState(t, node.UUID, "active")
	diskStarts(t, node.UUID, image)
	if got := testServer.Agent.Steps(node.UUID); len(got) != steps {
		t.Fatalf("the agent ran %v after the refusal", got[steps:])
	}
	w.expectEmptyPlan()
	cfg.Deployment = ""
	w.write(cfg.String() + rebuildAction)
	w.apply()
}

// restingNodeConfig is a node of the harness's agent (agentNode) at rest in target, with
// its port, and the actions (HCL) after it.
func restingNodeConfig(t *testing.T, name, target, more, actions string) string {
	return providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name                   = %q
  target_provision_state = %q
  %s
  %s
}
resource "baremetal_port" "p" {
  node_id = baremetal_node.n.id
  address = %q
}
`, name, target, agentNode(t), more, macFor(name)) + actions
}

const cleanActions = `
action "baremetal_node_clean" "metadata" {
  config {
    node_id     = baremetal_node.n.id
    clean_steps = jsonencode([{ interface = "deploy", step = "erase_devices_metadata", args = {} }])
  }
}
`

// scribble writes marker at the start of the node's disk, as an earlier tenant left it.
func scribble(t *testing.T, uuid string, marker []byte) {
	t.Helper()
	disk, err := os.OpenFile(testServer.Agent.DiskPath(uuid), os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer disk.Close()
	if _, err := disk.WriteAt(marker, 0); err != nil {
		t.Fatal(err)
	}
}

// A manual clean of an available node with a step the agent runs (it zeroes the disk's
// metadata) ends back in available, with the progress shown; a clean whose erase the
// disk refuses fails with Ironic's last_error and leaves the node in "clean failed",
// where the next clean starts again (ending in manageable, as Ironic rests a node it
// cleaned from there).
func TestAccNodeCleanAction_invoke(t *testing.T) {
	testAccPreCheck(t)
	skipUnlessCLIHas(t, cliActions)
	name := testNodeName()
	w := newCLIWorkspace(t)
	w.write(restingNodeConfig(t, name, "available", "", cleanActions))
	w.apply()
	defer w.destroy()
	uuid := expectNodeState(t, name, "available").UUID
	marker := []byte("partition table of the last tenant " + name)
	scribble(t, uuid, marker)

	out := w.invoke("baremetal_node_clean.metadata")
	progressShown(t, out, name, "cleaning", "clean wait")
	expectNodeState(t, uuid, "available")
	diskStarts(t, uuid, make([]byte, len(marker)))
	if steps := testServer.Agent.Steps(uuid); !slices.Equal(steps, []string{"clean.erase_devices_metadata"}) {
		t.Fatalf("the agent ran %v", steps)
	}
	w.expectEmptyPlan()

	// The disk refuses the erase: Ironic's reason, the node where Ironic put it.
	testServer.Agent.SetFault(name, ironictest.AgentEraseFails)
	defer testServer.Agent.SetFault(name, ironictest.AgentHealthy)
	out = w.fails("apply", "-auto-approve", "-input=false", "-invoke=action.baremetal_node_clean.metadata")
	if !regexp.MustCompile(`Error: Unable to clean bare metal node.*deploy.erase_devices_metadata failed.*the disk refused the erase.*` +
		`left as Ironic reports it: .*provision state "clean failed"`).MatchString(flat(out)) {
		t.Fatalf("the failed clean does not say why, or where the node is:\n%s", out)
	}
	failed := remoteNode(t, uuid)
	if failed.ProvisionState != "clean failed" || !strings.Contains(failed.LastError, "refused the erase") {
		t.Fatalf("node %q, last_error %q", failed.ProvisionState, failed.LastError)
	}
	plan, _ := runCLI(w.dir, w.rc, w.env, "plan", "-input=false")
	t.Logf("the plan of a node in clean failed, declared available:\n%s", plan)

	// Ironic put the node in maintenance too: a clean again is refused before anything
	// is sent (not moved to manageable first, for nothing); once the operator lifted
	// maintenance it runs from "clean failed" and rests the node in manageable.
	testServer.Agent.SetFault(name, ironictest.AgentHealthy)
	out = w.fails("apply", "-auto-approve", "-input=false", "-invoke=action.baremetal_node_clean.metadata")
	if !regexp.MustCompile(`is in maintenance.*Ironic refuses to clean a node in maintenance; nothing was changed`).MatchString(flat(out)) {
		t.Fatalf("a clean in maintenance is not refused as such:\n%s", out)
	}
	if n := remoteNode(t, uuid); n.ProvisionState != "clean failed" {
		t.Fatalf("the refused clean moved the node to %q", n.ProvisionState)
	}
	if err := nodes.UnsetMaintenance(t.Context(), testIronic(t), uuid).ExtractErr(); err != nil {
		t.Fatal(err)
	}
	w.invoke("baremetal_node_clean.metadata")
	expectNodeState(t, uuid, "manageable")
}

// An available node is inspected by the action and provided again, with the progress
// shown: through the agent where Ironic has the agent inspect interface (24.0 and
// later), whose inventory the baremetal_node_inventory data source then reads; else
// through fake-hardware's fake inspect interface, which stores none.
func TestAccNodeInspectAction_invoke(t *testing.T) {
	testAccPreCheck(t)
	skipUnlessCLIHas(t, cliActions)
	testAgent(t)
	name := testNodeName()
	const actions = `
action "baremetal_node_inspect" "i" {
  config {
    node_id = baremetal_node.n.id
  }
}
data "baremetal_node_inventory" "inv" {
  node_id = baremetal_node.n.id
}
output "has_inventory" { value = data.baremetal_node_inventory.inv.has_inventory }
output "cpu_count" { value = data.baremetal_node_inventory.inv.cpu_count }
output "mac" { value = try(data.baremetal_node_inventory.inv.interfaces[0].mac_address, null) }
`
	hcl := providerBlock + fmt.Sprintf(`
resource "baremetal_node" "n" {
  name                   = %q
  driver                 = "fake-hardware"
  inspect_interface      = "fake"
  target_provision_state = "available"
}
`, name) + actions
	if testServer.AgentInspect {
		hcl = restingNodeConfig(t, name, "available", `inspect_interface = "agent"`, actions)
	}
	w := newCLIWorkspace(t)
	w.write(hcl)
	w.apply()
	defer w.destroy()
	uuid := expectNodeState(t, name, "available").UUID

	out := w.invoke("baremetal_node_inspect.i")
	if testServer.AgentInspect { // the fake interface inspects before Ironic answers
		progressShown(t, out, name, "inspecting", "inspect wait")
	}
	if n := expectNodeState(t, uuid, "available"); n.InspectionFinishedAt == nil {
		t.Fatal("Ironic has no inspection_finished_at: the node was not inspected")
	}
	w.apply() // reads the inventory again
	outputs := w.run("output", "-json")
	if !testServer.AgentInspect {
		if !strings.Contains(outputs, `"has_inventory": {`) || !regexp.MustCompile(`"has_inventory":\s*\{[^}]*"value":\s*false`).MatchString(outputs) {
			t.Fatalf("fake inspection stored an inventory? outputs:\n%s", outputs)
		}
		return
	}
	if testServer.Agent.Inventory(uuid) == nil {
		t.Fatalf("the agent posted no inventory; agent log:\n%s", strings.Join(testServer.Agent.Log(uuid), "\n"))
	}
	for _, want := range []string{`"value":\s*true`, `"value":\s*4\b`, `"value":\s*"` + macFor(name) + `"`} {
		if !regexp.MustCompile(want).MatchString(outputs) {
			t.Fatalf("the inventory read after the inspection lacks %s:\n%s", want, outputs)
		}
	}
	w.expectEmptyPlan()
}

// A manual clean by a runbook (API 1.92) the node's traits approve: the agent runs its
// step and the node is available again.
func TestAccNodeCleanAction_runbook(t *testing.T) {
	testAccPreCheck(t)
	skipUnlessCLIHas(t, cliActions)
	if mv := testNegotiated(t); !ironic.FeatureNamed("runbooks").Available(mv) {
		t.Skipf("%s", ironic.FeatureNamed("runbooks").Check(mv))
	}
	name, rb := testNodeName(), templateName()
	w := newCLIWorkspace(t)
	w.write(restingNodeConfig(t, name, "available", fmt.Sprintf("traits = [%q]", rb), fmt.Sprintf(`
resource "baremetal_runbook" "metadata" {
  name  = %q
  steps = jsonencode([{ interface = "deploy", step = "erase_devices_metadata", order = 1 }])
}
action "baremetal_node_clean" "rb" {
  config {
    node_id = baremetal_node.n.id
    runbook = baremetal_runbook.metadata.name
  }
}
`, rb)))
	w.apply()
	defer w.destroy()
	uuid := expectNodeState(t, name, "available").UUID
	w.invoke("baremetal_node_clean.rb")
	expectNodeState(t, uuid, "available")
	if steps := testServer.Agent.Steps(uuid); !slices.Equal(steps, []string{"clean.erase_devices_metadata"}) {
		t.Fatalf("the agent ran %v", steps)
	}
	w.expectEmptyPlan()
}

// A deployed machine is serviced (API 1.87) with a step the agent runs (a CPU burn-in
// of the node's agent_burnin_cpu_timeout): it is active again with its disk as it was,
// the progress was shown, and the plan afterwards is empty.
func TestAccNodeServiceAction_invoke(t *testing.T) {
	testAccPreCheck(t)
	skipUnlessCLIHas(t, cliActions)
	if mv := testNegotiated(t); !ironic.FeatureNamed("servicing").Available(mv) {
		t.Skipf("%s", ironic.FeatureNamed("servicing").Check(mv))
	}
	name := testNodeName()
	image := []byte("os image to service " + name)
	images := newTestImageServer(t, image)
	cfg := deploymentConfig{Cache: t.TempDir(), ImageURL: images.URL, Name: name, Node: agentNode(t, `agent_burnin_cpu_timeout = "1"`), Deployed: true}
	w := newCLIWorkspace(t)
	w.write(cfg.String() + `
action "baremetal_node_service" "burnin" {
  config {
    node_id       = baremetal_deployment.d.node_id
    service_steps = jsonencode([{ interface = "deploy", step = "burnin_cpu", args = {} }])
  }
}
`)
	w.apply()
	defer w.destroy()
	uuid := expectNodeState(t, name, "active").UUID

	out := w.invoke("baremetal_node_service.burnin")
	progressShown(t, out, name, "servicing", "service wait")
	expectNodeState(t, uuid, "active")
	if steps := testServer.Agent.Steps(uuid); !slices.Contains(steps, "service.burnin_cpu") {
		t.Fatalf("the agent ran %v", steps)
	}
	diskStarts(t, uuid, image)
	w.expectEmptyPlan()
}

// rescueActionConfig is a deployed machine with the rescue actions: rescue_password from an
// ephemeral variable (TF_VAR_pw), the rescue triggered by a change of
// terraform_data.rescue's input (round), and the node's description.
func rescueActionConfig(cfg deploymentConfig, round int, description string) string {
	cfg.Node += fmt.Sprintf("\n  rescue_interface = \"agent\"\n  description = %q", description)
	return cfg.String() + fmt.Sprintf(`
variable "pw" {
  type      = string
  ephemeral = true
}
resource "terraform_data" "rescue" {
  input = %d
  lifecycle {
    action_trigger {
      events  = [after_update]
      actions = [action.baremetal_node_rescue.r]
    }
  }
}
action "baremetal_node_rescue" "r" {
  config {
    node_id         = baremetal_deployment.d.node_id
    rescue_password = var.pw
  }
}
action "baremetal_node_unrescue" "u" {
  config {
    node_id = baremetal_deployment.d.node_id
  }
}
# For -invoke, which drops ephemeral values: a sensitive variable, never saved in a plan file here.
variable "pw_invoke" {
  type      = string
  sensitive = true
  default   = null
}
action "baremetal_node_rescue" "by_invoke" {
  config {
    node_id         = baremetal_deployment.d.node_id
    rescue_password = var.pw_invoke
  }
}
`, round)
}

// A deployed machine is rescued through the agent's rescue protocol with a password from
// an ephemeral variable, the rescue triggered by a change of another resource: the
// conductor hands the agent a hash of the password, which is in no state, plan JSON,
// output or TRACE log. A rescue the ramdisk fails reports Ironic's reason and leaves
// the node in "rescue failed", from which the next rescue starts. Run with -invoke instead, the rescue is refused before anything
// is sent: Terraform 1.16 drops ephemeral values from actions it runs that way. An
// unrelated apply (the node's description) leaves the node in rescue and the plan after
// it is empty; the unrescue action boots it back into its instance, its disk as it was.
func TestAccNodeRescueAction_ephemeralPassword(t *testing.T) {
	testAccPreCheck(t)
	skipUnlessCLIHas(t, cliActions)
	const password = "rescue-Secr3t-4q7z"
	name := testNodeName()
	image := []byte("os image to rescue " + name)
	images := newTestImageServer(t, image)
	trace := filepath.Join(t.TempDir(), "trace.log")
	cfg := deploymentConfig{Cache: t.TempDir(), ImageURL: images.URL, Name: name, Deployed: true, Node: agentNode(t)}
	w := newCLIWorkspace(t, "TF_LOG=TRACE", "TF_LOG_PATH="+trace, "TF_VAR_pw="+password)
	w.write(rescueActionConfig(cfg, 0, "web server"))
	var outputs, planJSON strings.Builder
	outputs.WriteString(w.apply())
	defer w.destroy()
	uuid := expectNodeState(t, name, "active").UUID

	// -invoke: Terraform sends the action no ephemeral value.
	out := w.fails("apply", "-auto-approve", "-input=false", "-invoke=action.baremetal_node_rescue.r")
	outputs.WriteString(out)
	if !strings.Contains(flat(out), "Missing rescue_password") || !strings.Contains(flat(out), "drops ephemeral values from the configuration of an action run with -invoke") {
		t.Fatalf("a rescue without its password is not refused as such:\n%s", out)
	}
	expectNodeState(t, uuid, "active")

	// Triggered, with a rescue ramdisk that cannot set the password: Ironic's reason, the
	// node left in "rescue failed".
	testServer.Agent.SetFault(name, ironictest.AgentRescueFails)
	defer testServer.Agent.SetFault(name, ironictest.AgentHealthy)
	w.write(rescueActionConfig(cfg, 1, "web server"))
	out = w.fails("apply", "-auto-approve", "-input=false")
	outputs.WriteString(out)
	if !regexp.MustCompile(`Error: Unable to rescue bare metal node.*chpasswd refused it.*left as Ironic reports it: .*provision state "rescue failed"`).MatchString(flat(out)) {
		t.Fatalf("the failed rescue does not say why, or where the node is:\n%s", out)
	}
	if n := remoteNode(t, uuid); n.ProvisionState != "rescue failed" || !strings.Contains(n.LastError, "chpasswd refused it") {
		t.Fatalf("node %q, last_error %q", n.ProvisionState, n.LastError)
	}
	testServer.Agent.SetFault(name, ironictest.AgentHealthy)

	// Triggered again: the plan (saved, shown as JSON), then the apply.
	w.write(rescueActionConfig(cfg, 2, "web server"))
	w.run("plan", "-input=false", "-out=trigger.bin")
	planJSON.WriteString(w.run("show", "-json", "trigger.bin"))
	if !strings.Contains(planJSON.String(), `"action_invocations"`) {
		t.Fatalf("the plan JSON has no action_invocations; a scan of it proves nothing:\n%s", planJSON.String())
	}
	out = w.apply()
	outputs.WriteString(out)
	progressShown(t, out, name, "rescuing", "rescue wait")
	expectNodeState(t, uuid, "rescue")
	got, hashed := testServer.Agent.RescuePassword(uuid)
	if !hashed || !strings.HasPrefix(got, "$") {
		t.Fatalf("the agent got rescue password %q (hashed %t), want a crypt hash", got, hashed)
	}
	// The host's Python (3.11) still has crypt(3).
	check, err := exec.Command("python3", "-W", "ignore", "-c", "import crypt, sys; print(crypt.crypt(sys.argv[1], sys.argv[2]) == sys.argv[2])",
		password, got).CombinedOutput()
	if err != nil || strings.TrimSpace(string(check)) != "True" {
		t.Fatalf("the hash %q the agent got is not of the rescue password: %v %s", got, err, check)
	}

	// An unrelated apply: the node stays in rescue, said so; the plan after it is empty.
	w.write(rescueActionConfig(cfg, 2, "web server, disk being repaired"))
	out = w.apply()
	outputs.WriteString(out)
	if !strings.Contains(out, "Warning: Bare metal node in rescue") {
		t.Fatalf("the apply does not say the node is held in rescue:\n%s", out)
	}
	if n := expectNodeState(t, uuid, "rescue"); n.Description != "web server, disk being repaired" {
		t.Fatalf("the description is %q", n.Description)
	}
	w.expectEmptyPlan()

	out = w.invoke("baremetal_node_unrescue.u")
	outputs.WriteString(out)
	// Unrescue on the harness can end before the wait's first read (no agent to wait
	// for): what shows it under way is the line said when Ironic accepted it.
	if !regexp.MustCompile(fmt.Sprintf(`node %s: provision state "rescue"[^\n]*; Ironic accepted "unrescue" \(\d+s\)`, regexp.QuoteMeta(name))).MatchString(out) {
		t.Fatalf("no line saying Ironic accepted the unrescue:\n%s", out)
	}
	progressShown(t, out, name, "active")
	expectNodeState(t, uuid, "active")
	diskStarts(t, uuid, image)
	w.expectEmptyPlan()

	// -invoke with the password from a sensitive (not ephemeral) variable, set only for
	// that command (a saved plan would hold a variable's value): rescued, and back again.
	env := w.env
	w.env = append(slices.Clone(env), "TF_VAR_pw_invoke="+password)
	outputs.WriteString(w.invoke("baremetal_node_rescue.by_invoke"))
	w.env = env
	expectNodeState(t, uuid, "rescue")
	outputs.WriteString(w.invoke("baremetal_node_unrescue.u"))
	expectNodeState(t, uuid, "active")

	state, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	logs, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logs), "action progress") {
		t.Fatal("the TRACE log has no line of the action: a scan of it proves nothing")
	}
	for what, text := range map[string]string{"the state": string(state), "the plan JSON": planJSON.String(),
		"the TRACE log": string(logs), "the CLI's output": outputs.String()} {
		if strings.Contains(text, password) {
			t.Errorf("the rescue password appears in %s", what)
		}
	}
}

// An action is bounded by its timeouts.invoke: a clean whose agent never calls back
// fails when it runs out, saying where the node is, and leaves the node where Ironic has
// it (waiting for the agent): the action sends nothing more.
func TestAccNodeCleanAction_timeout(t *testing.T) {
	testAccPreCheck(t)
	skipUnlessCLIHas(t, cliActions)
	name := testNodeName()
	w := newCLIWorkspace(t)
	w.write(restingNodeConfig(t, name, "manageable", "", `
action "baremetal_node_clean" "metadata" {
  config {
    node_id     = baremetal_node.n.id
    clean_steps = jsonencode([{ interface = "deploy", step = "erase_devices_metadata", args = {} }])
    timeouts    = { invoke = "4s" }
  }
}
`))
	w.apply()
	defer w.destroy()
	uuid := expectNodeState(t, name, "manageable").UUID
	testServer.Agent.SetFault(name, ironictest.AgentSilent)
	defer testServer.Agent.SetFault(name, ironictest.AgentHealthy)

	out := w.fails("apply", "-auto-approve", "-input=false", "-invoke=action.baremetal_node_clean.metadata")
	progressShown(t, out, name, "clean wait")
	if !regexp.MustCompile(`Error: Unable to clean bare metal node.*context deadline exceeded.*left as Ironic reports it: .*provision state "clean wait"`).MatchString(flat(out)) {
		t.Fatalf("the timeout does not say where the node is:\n%s", out)
	}
	if n := remoteNode(t, uuid); n.ProvisionState != "clean wait" {
		t.Fatalf("the node is %q after the timeout, not waiting for the agent", n.ProvisionState)
	}
	// As an operator would: abort the clean, then the node can go.
	if err := nodes.ChangeProvisionState(t.Context(), testIronic(t), uuid, nodes.ProvisionStateOpts{Target: nodes.TargetAbort}).ExtractErr(); err != nil {
		t.Fatal(err)
	}
}

// A rescue whose password is null (an unset variable, or an ephemeral value Terraform
// dropped from an action run with -invoke) is refused before anything is sent, saying
// both.
func TestRescueActionWithoutPassword(t *testing.T) {
	a := NewNodeRescueAction().(*nodeAction[nodeRescueModel, *nodeRescueModel])
	var d diag.Diagnostics
	a.check(&nodeRescueModel{RescuePassword: types.StringNull()}, "1.82", &d)
	if got := errorsAt(d); got != "rescue_password: Missing rescue_password" || !strings.Contains(d[0].Detail(), "action_trigger") {
		t.Fatalf("%q: %v", got, d)
	}
}
