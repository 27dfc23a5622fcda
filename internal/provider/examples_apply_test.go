package provider

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"

	"github.com/metalform/terraform-provider-baremetal/internal/devtools"
	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// exampleCase is one configuration under examples/ as the suite applies it: copied into
// a CLI workspace, given what a user would give it (TF_VAR_ values, the endpoint in
// BAREMETAL_ENDPOINT) and what it expects to find in Ironic, applied, planned empty and
// destroyed.
type exampleCase struct {
	dir   string   // under examples/
	name  string   // told apart from the other cases of dir in the subtest's name (dir_name)
	files []string // the files applied together; nil: every .tf file but the import examples (by-identity: all)
	// locks are the names the example gives objects that Ironic keeps unique (node and
	// port group names, MACs, traits, a resource class it allocates from): examples that
	// share one run one after the other, the others in parallel.
	locks []string
	setup func(t *testing.T, x *exampleRun) // makes what the example expects to find
	// feature is an Ironic feature the example needs (ironic.FeatureNamed): on an Ironic
	// without it the example is skipped, its refusal being tested elsewhere; or, with
	// refusal, planned, and the plan must fail with refusal (a regexp, matched against
	// the CLI's output with its box drawing and line breaks folded into single spaces).
	feature, refusal string
	// systemScoped: the example reads what Ironic's default policy shows only to
	// system-scoped readers; the Keystone run logs in with a project-scoped user.
	systemScoped bool
	// readsFleet: the example's outputs count what the whole Ironic holds, which the
	// examples running beside it change; its next plan must change no resource, its
	// outputs may.
	readsFleet bool
	// unprotect is an attribute the example sets that guards against destroy ("protected
	// = true"): the test sets it false and applies before destroying, as a user would.
	unprotect string
	// check runs after the apply: what the example promises, on the machine.
	check func(t *testing.T, w *cliWorkspace, x *exampleRun)
}

// exemptExamples are the configurations under examples/ this test does not apply, and
// where each is proven instead. TestExamplesAllAccountedFor keeps the lists complete.
var exemptExamples = map[string]string{
	"adopt-fleet":       "TestAccAdoptFleet_recipe runs it step by step, as its guide says, over a hand-made fleet of 50 nodes",
	"adopt-fleet-query": "a terraform query configuration, nothing to apply: TestAccQuery_generateConfig runs it with terraform query -generate-config-out",
	"list-resources":    "terraform query configurations (list blocks), nothing to apply: the list-resource tests run list blocks of their own; examples-check validates these",
	// Merged from the ramdisk work while this test was written; applying it here needs a
	// bootable ISO served as its image (the harness's BMC reads the ISO's boot catalog).
	"resources/baremetal_deployment/live-iso.tf": "TestAccDeployment_liveISOVirtualMedia deploys the same shape (a live ISO from baremetal_image, through virtual media, on a ramdisk node)",
	"actions": "action blocks, invoked with -invoke against a deployed node: the action tests invoke each action type from the CLI with configurations of their own; examples-check validates these",
}

// examplesApplied are the configurations applied, with what each needs.
func examplesApplied() []exampleCase {
	return []exampleCase{
		{dir: "provider"},
		{dir: "data-sources/baremetal_node", locks: []string{"server1"}, setup: func(t *testing.T, x *exampleRun) {
			x.enrolledNode(t, "server1", randomMAC())
		}},
		{dir: "data-sources/baremetal_node_inventory", locks: []string{"server1"}, setup: func(t *testing.T, x *exampleRun) {
			x.enrolledNode(t, "server1", randomMAC())
		}},
		{dir: "data-sources/baremetal_nodes", readsFleet: true},
		{dir: "data-sources/baremetal_shards", readsFleet: true, systemScoped: true},
		{dir: "resources/baremetal_node", locks: []string{"server1"}, setup: func(t *testing.T, x *exampleRun) {
			x.vars["ipmi_password"] = "example-password"
		}},
		{dir: "resources/baremetal_port", locks: []string{"server1", "52:54:00:12:34:56"}},
		{dir: "resources/baremetal_portgroup", locks: []string{"server1", "server1-bond0", "52:54:00:12:34:56", "52:54:00:12:34:57"}},
		{dir: "resources/baremetal_image", files: []string{"resource.tf"}, locks: []string{"server1"}, setup: func(t *testing.T, x *exampleRun) {
			dir := t.TempDir() // below the harness's file_url_allowed_paths
			if err := os.WriteFile(filepath.Join(dir, "deploy.vmlinuz"), []byte("a deploy kernel"), 0o644); err != nil {
				t.Fatal(err)
			}
			x.vars["deploy_image_dir"] = dir
		}},
		{dir: "resources/baremetal_deployment", files: []string{"resource.tf"}, locks: []string{"server1"}, setup: func(t *testing.T, x *exampleRun) {
			x.availableMachine(t, "server1", randomMAC(), nil)
		}},
		// An oci:// image from a registry that asks for the pull secret (basic auth),
		// deployed by the agent; refused at plan time by an Ironic older than 29.0.
		{dir: "resources/baremetal_image", name: "oci", files: []string{"oci.tf"}, locks: []string{"server2"},
			feature: ociFeature, refusal: "Not supported by this Ironic .*`oci:// images` needs API 1\\.96, Ironic 29\\.0",
			setup: func(t *testing.T, x *exampleRun) {
				skipUnlessCLIHas(t, cliWriteOnly)
				reg := testRegistry(t, ironictest.RegistryBasic)
				if _, _, err := reg.PushDisk(context.Background(), "disks/os", "stable", exampleImageBody("oci disk")); err != nil {
					t.Fatal(err)
				}
				x.vars["registry"] = reg.Host
				x.vars["repository"] = "disks/os"
				x.vars["registry_pull_secret"] = reg.PullSecret()
				x.node = x.availableMachine(t, "server2", randomMAC(), nil)
			}, check: checkOCIExample},
		{dir: "resources/baremetal_allocation", files: []string{"resource.tf"}, locks: []string{"baremetal-large", "web-0", "web-1"},
			setup: func(t *testing.T, x *exampleRun) {
				for i := range 2 {
					x.availableMachine(t, fmt.Sprintf("example-large-%d-%s", i, randomMAC()[9:11]), randomMAC(), func(o *nodes.CreateOpts) {
						o.ResourceClass = "baremetal-large"
					}, "CUSTOM_RAID1")
				}
			}},
		{dir: "resources/baremetal_deploy_template", files: []string{"resource.tf"}, locks: []string{"CUSTOM_RAID1"}},
		{dir: "resources/baremetal_runbook", files: []string{"resource.tf"}, locks: []string{"CUSTOM_WIPE_METADATA", "storage1"}, feature: "runbooks"},
		{dir: "redfish-server", setup: func(t *testing.T, x *exampleRun) {
			bmc := testBMC(t)
			name := testNodeName()
			macs := []string{randomMAC(), randomMAC()}
			x.vars["name"] = name
			x.system = name
			x.vars["bmc_address"] = bmc.URL
			x.vars["bmc_system_id"] = bmc.AddSystem(name, macs...)
			x.vars["bmc_username"] = bmc.Username
			x.vars["bmc_password"] = bmc.Password
			x.vars["nics"] = fmt.Sprintf(`{ eth0 = %q, eth1 = %q }`, macs[0], macs[1])
			x.vars["raid_controller"] = "1" // the BMC's one controller, with ironictest.DefaultDrives
			x.vars["root_drives"] = fmt.Sprintf(`[%q, %q]`, ironictest.DefaultDrives[0].ID, ironictest.DefaultDrives[1].ID)
		}, check: checkRedfishServer},
		{dir: "deploy", locks: []string{"server1"}, setup: func(t *testing.T, x *exampleRun) {
			bmc, macs := testBMC(t), []string{randomMAC(), randomMAC()}
			x.vars["bmc"] = fmt.Sprintf(`{ address = %q, system_id = %q, username = %q }`, bmc.URL, bmc.AddSystem(testNodeName(), macs...), bmc.Username)
			x.vars["bmc_password"] = bmc.Password
			x.vars["macs"] = fmt.Sprintf(`[%q, %q]`, macs[0], macs[1])
		}},
		{dir: "rack", setup: func(t *testing.T, x *exampleRun) {
			bmc := testBMC(t)
			var machines []string
			for _, nics := range []int{2, 1} {
				name, macs := testNodeName(), make([]string, nics)
				for i := range macs {
					macs[i] = fmt.Sprintf("%q", randomMAC())
				}
				machines = append(machines, fmt.Sprintf(`%q = { bmc_address = %q, system_id = %q, macs = [%s] }`,
					name, bmc.URL, bmc.AddSystem(name, macs...), strings.Join(macs, ", ")))
			}
			x.vars["machines"] = "{ " + strings.Join(machines, ", ") + " }"
			x.vars["bmc_password"] = bmc.Password
		}},
		{dir: "pool", locks: []string{"baremetal-large", "web-0", "web-1"}, setup: func(t *testing.T, x *exampleRun) {
			bmc := testBMC(t)
			var machines []string
			for range 3 {
				name, mac := testNodeName(), randomMAC()
				machines = append(machines, fmt.Sprintf(`%q = { bmc_address = %q, system_id = %q, mac = %q }`, name, bmc.URL, bmc.AddSystem(name, mac), mac))
			}
			x.vars["machines"] = "{ " + strings.Join(machines, ", ") + " }"
			x.vars["bmc_password"] = bmc.Password
		}},
		// The import examples, each with the resource it adopts, the object made in Ironic
		// first as an operator made it.
		{dir: "resources/baremetal_node", files: []string{"resource.tf", "import-by-string-id.tf"}, locks: []string{"server1"},
			setup: func(t *testing.T, x *exampleRun) {
				x.vars["ipmi_password"] = "example-password"
				x.rawNode(t, map[string]any{"name": "server1", "driver": "ipmi"})
			}},
		{dir: "resources/baremetal_node/by-identity", locks: []string{exampleNodeUUID}, setup: func(t *testing.T, x *exampleRun) {
			x.rawNode(t, map[string]any{"uuid": exampleNodeUUID, "driver": "ipmi"})
		}},
		{dir: "resources/baremetal_port/by-identity", locks: []string{exampleNodeUUID, "52:54:00:12:34:56"}, setup: func(t *testing.T, x *exampleRun) {
			x.rawNode(t, map[string]any{"uuid": exampleNodeUUID, "driver": "fake-hardware"})
			x.raw(t, "ports", map[string]any{"uuid": "6f0c2a3e-1b9d-4d8e-9a57-2f3c4d5e6a7b", "node_uuid": exampleNodeUUID, "address": "52:54:00:12:34:56"})
		}},
		{dir: "resources/baremetal_portgroup/by-identity", locks: []string{exampleNodeUUID}, setup: func(t *testing.T, x *exampleRun) {
			x.rawNode(t, map[string]any{"uuid": exampleNodeUUID, "driver": "fake-hardware"})
			x.raw(t, "portgroups", map[string]any{"uuid": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "node_uuid": exampleNodeUUID})
		}},
		{dir: "resources/baremetal_deploy_template", files: []string{"resource.tf", "import-by-string-id.tf"}, locks: []string{"CUSTOM_RAID1"},
			setup: func(t *testing.T, x *exampleRun) {
				x.raw(t, "deploy_templates", map[string]any{"name": "CUSTOM_RAID1", "steps": []any{map[string]any{
					"interface": "raid", "step": "apply_configuration", "priority": 150,
					"args": map[string]any{"raid_config": map[string]any{"logical_disks": []any{map[string]any{"size_gb": "MAX", "raid_level": "1", "is_root_volume": true}}}},
				}}})
			}},
		{dir: "resources/baremetal_deploy_template/by-identity", locks: []string{"CUSTOM_RAID1"}, setup: func(t *testing.T, x *exampleRun) {
			x.raw(t, "deploy_templates", map[string]any{"uuid": "4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b", "name": "CUSTOM_RAID1",
				"steps": []any{map[string]any{"interface": "raid", "step": "apply_configuration", "priority": 150, "args": map[string]any{}}}})
		}},
		{dir: "resources/baremetal_runbook", files: []string{"resource.tf", "import-by-string-id.tf"}, locks: []string{"CUSTOM_WIPE_METADATA", "storage1"},
			feature: "runbooks", setup: func(t *testing.T, x *exampleRun) {
				x.raw(t, "runbooks", map[string]any{"name": "CUSTOM_WIPE_METADATA", "steps": []any{map[string]any{
					"interface": "deploy", "step": "erase_devices_metadata", "args": map[string]any{}, "order": 1}}})
			}},
		{dir: "resources/baremetal_runbook/by-identity", locks: []string{"CUSTOM_WIPE"}, feature: "runbooks", setup: func(t *testing.T, x *exampleRun) {
			x.raw(t, "runbooks", map[string]any{"uuid": "3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a", "name": "CUSTOM_WIPE",
				"steps": []any{map[string]any{"interface": "deploy", "step": "erase_devices_metadata", "args": map[string]any{}, "order": 1}}})
		}},
		{dir: "resources/baremetal_deployment", files: []string{"resource.tf", "import-by-string-id.tf", "adopt.tf"},
			locks: []string{"server1", "legacy-db-1", "/redfish/v1/Systems/1"},
			setup: func(t *testing.T, x *exampleRun) {
				// server1, deployed by hand with the image resource.tf names; and the BMC of
				// the machine adopt.tf takes over.
				id := x.availableMachine(t, "server1", randomMAC(), nil)
				url := x.vars["image_server"] + "/ubuntu-24.04.qcow2"
				if _, err := testEngine(t).Deploy(context.Background(), id, ironic.DeploySpec{InstanceInfo: map[string]string{
					"image_source": url, "image_os_hash_algo": "sha256", "image_os_hash_value": fmt.Sprintf("%x", sha256.Sum256(exampleImageBody("ubuntu-24.04.qcow2"))),
				}}); err != nil {
					t.Fatal(err)
				}
				bmc := testBMC(t)
				bmc.AddSystem("1", randomMAC())
				x.vars["legacy_db_bmc"] = bmc.URL
				x.vars["bmc_password"] = bmc.Password
			}},
		{dir: "resources/baremetal_deployment/by-identity", locks: []string{exampleNodeUUID}, setup: func(t *testing.T, x *exampleRun) {
			// A machine deployed before Ironic knew it, recorded active with what it runs.
			x.rawNode(t, map[string]any{"uuid": exampleNodeUUID, "driver": "fake-hardware", "instance_info": map[string]any{
				"image_source": "http://images.example.com/os.qcow2", "image_checksum": "6b1f3ac9e0c0b8a91d5f7d2e4c8a9b31"}})
			if err := testServer.ForceProvisionState(context.Background(), exampleNodeUUID, "active", ""); err != nil {
				t.Fatal(err)
			}
		}},
		{dir: "resources/baremetal_allocation", files: []string{"resource.tf", "import-by-string-id.tf"}, locks: []string{"baremetal-large", "web-0", "web-1"},
			setup: func(t *testing.T, x *exampleRun) {
				for i := range 2 {
					x.availableMachine(t, fmt.Sprintf("example-large-%d-%s", i, randomMAC()[9:11]), randomMAC(), func(o *nodes.CreateOpts) {
						o.ResourceClass = "baremetal-large"
					}, "CUSTOM_RAID1")
				}
				x.allocation(t, ironic.AllocationCreate{"name": "web-0", "resource_class": "baremetal-large", "traits": []string{"CUSTOM_RAID1"}})
			}},
		{dir: "resources/baremetal_allocation/by-identity", locks: []string{"baremetal"}, setup: func(t *testing.T, x *exampleRun) {
			x.availableMachine(t, testNodeName(), randomMAC(), func(o *nodes.CreateOpts) { o.ResourceClass = "baremetal" })
			x.allocation(t, ironic.AllocationCreate{"uuid": "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f", "resource_class": "baremetal"})
		}},
		// The port and port group imported by MAC and by name belong to a node enrolled by
		// hand; resource.tf moves them to the node it enrolls.
		{dir: "resources/baremetal_port", files: []string{"resource.tf", "import-by-string-id.tf"}, locks: []string{"server1", "52:54:00:12:34:56"},
			setup: func(t *testing.T, x *exampleRun) {
				node := x.rawNode(t, map[string]any{"name": testNodeName(), "driver": "fake-hardware"})
				x.raw(t, "ports", map[string]any{"node_uuid": node, "address": "52:54:00:12:34:56"})
			}},
		{dir: "resources/baremetal_portgroup", files: []string{"resource.tf", "import-by-string-id.tf"},
			locks: []string{"server1", "server1-bond0", "52:54:00:12:34:56", "52:54:00:12:34:57"}, setup: func(t *testing.T, x *exampleRun) {
				node := x.rawNode(t, map[string]any{"name": testNodeName(), "driver": "fake-hardware"})
				x.raw(t, "portgroups", map[string]any{"node_uuid": node, "name": "server1-bond0", "mode": "802.3ad"})
			}},
		{dir: "hardware", locks: []string{"db1"}, unprotect: "protected", setup: func(t *testing.T, x *exampleRun) {
			bmc, mac, name := testBMC(t), randomMAC(), testNodeName()
			x.vars["bmc"] = fmt.Sprintf(`{ address = %q, system_id = %q, username = %q }`, bmc.URL, bmc.AddSystem(name, mac), bmc.Username)
			x.vars["bmc_password"] = bmc.Password
			x.vars["mac"] = mac
			x.vars["raid_controller"] = "1"
			x.system = name
		}, check: func(t *testing.T, w *cliWorkspace, x *exampleRun) {
			// The RAID-1 volume was built on the BMC's two SSDs by the cleaning.
			if v := testServer.BMC.Volumes(x.system); len(v) != 1 || v[0].RAIDType != "RAID1" || len(v[0].Drives) != 2 {
				t.Errorf("the BMC's volumes: %+v", v)
			}
		}},
		{dir: "quickstart", locks: []string{"server1"}, setup: func(t *testing.T, x *exampleRun) {
			x.vars["mac_address"] = randomMAC()
		}},
	}
}

// Every configuration under examples/ (except the exempt ones, each covered elsewhere) is
// applied against the harness's Ironic as a user applies it, the next plan is empty, and
// destroy leaves nothing behind. Examples that share no names run in parallel.
func TestAccExamples_apply(t *testing.T) {
	testAccPreCheck(t)
	testAgent(t)
	t.Parallel()
	start := time.Now()
	images := newExampleImageServer(t)
	var locks keyedLocks
	t.Run("group", func(t *testing.T) {
		for _, c := range examplesApplied() {
			name := strings.ReplaceAll(c.dir, "/", "_")
			if c.name != "" {
				name += "_" + c.name
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				lacks := c.feature != "" && !ironic.FeatureNamed(c.feature).Available(testNegotiated(t))
				if lacks && c.refusal == "" {
					t.Skipf("needs %s, which this Ironic lacks (its refusal at plan time is tested elsewhere)", c.feature)
				}
				if filepath.Base(c.dir) == "by-identity" {
					skipUnlessCLIHas(t, cliIdentity)
				}
				if c.systemScoped && testKeystone != nil {
					t.Skip("lists what Ironic's policy shows system-scoped readers only; this run's Keystone user is project-scoped (the 403 and its advice are tested by the shards data source's own test)")
				}
				t.Cleanup(locks.lock(c.locks)) // after the destroy below, and the nodes' deletion
				begin := time.Now()
				x := &exampleRun{vars: map[string]string{"image_server": images.URL}}
				if c.setup != nil {
					c.setup(t, x)
				}
				w := newCLIWorkspace(t)
				copyExampleFiles(t, c.dir, c.fileList(t), w.dir)
				for k, v := range x.vars {
					w.env = append(w.env, "TF_VAR_"+k+"="+v)
				}
				if lacks {
					out := w.fails("plan", "-input=false")
					if folded := strings.Join(strings.Fields(strings.ReplaceAll(out, "│", " ")), " "); !regexp.MustCompile(c.refusal).MatchString(folded) {
						t.Errorf("this Ironic lacks %s: the plan should fail with %q:\n%s", c.feature, c.refusal, out)
					}
					t.Logf("examples/%s: refused at plan time, as this Ironic lacks %s", c.dir, c.feature)
					return
				}
				t.Cleanup(func() { runCLI(w.dir, w.rc, w.env, "destroy", "-auto-approve", "-input=false") }) // a failed step's leftovers
				out := w.apply()
				if imports := slices.ContainsFunc(c.fileList(t), func(f string) bool { return strings.HasPrefix(f, "import") }); imports && !strings.Contains(out, " imported,") {
					t.Errorf("the import example imported nothing:\n%s", out)
				}
				if c.check != nil {
					c.check(t, w, x)
				}
				if c.readsFleet {
					if out := w.run("plan", "-input=false"); strings.Contains(out, "Plan:") {
						t.Errorf("the next plan changes resources:\n%s", out)
					}
				} else {
					w.expectEmptyPlan()
				}
				if c.unprotect != "" {
					path := filepath.Join(w.dir, "main.tf")
					text, _ := os.ReadFile(path)
					guarded := regexp.MustCompile(`(?m)^(\s*` + c.unprotect + `\s*=\s*)true\b`)
					if !guarded.Match(text) {
						t.Fatalf("examples/%s does not set %s = true", c.dir, c.unprotect)
					}
					os.WriteFile(path, guarded.ReplaceAll(text, []byte("${1}false")), 0o644)
					w.apply()
				}
				w.destroy()
				t.Logf("examples/%s: applied, planned empty and destroyed in %.1f s", c.dir, time.Since(begin).Seconds())
			})
		}
	})
	t.Logf("every example applied in %.1f s", time.Since(start).Seconds())
}

// The examples test knows every configuration under examples/: applied, or exempt with
// the test that covers it.
func TestExamplesAllAccountedFor(t *testing.T) {
	root := filepath.Join(devtools.RepoRoot(), "examples")
	applied := map[string]bool{}
	for _, c := range examplesApplied() {
		for _, f := range c.fileList(t) {
			applied[filepath.Join(c.dir, f)] = true
		}
	}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".tf") {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if applied[rel] || exemptExamples[rel] != "" {
			return nil
		}
		for dir := filepath.Dir(rel); dir != "."; dir = filepath.Dir(dir) {
			if exemptExamples[dir] != "" {
				return nil
			}
		}
		t.Errorf("examples/%s is neither applied by TestAccExamples_apply nor exempt", rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// fileList is the files of the example applied together.
func (c exampleCase) fileList(t *testing.T) []string {
	if c.files != nil {
		return c.files
	}
	var files []string
	all, err := filepath.Glob(filepath.Join(devtools.RepoRoot(), "examples", c.dir, "*.tf"))
	if err != nil || len(all) == 0 {
		t.Fatalf("examples/%s holds no .tf file", c.dir)
	}
	for _, f := range all {
		if !strings.HasPrefix(filepath.Base(f), "import") || filepath.Base(c.dir) == "by-identity" {
			files = append(files, filepath.Base(f))
		}
	}
	return files
}

// copyExampleFiles copies files of examples/<dir> into work, with the provider's source
// declared where the example leaves it to the page it is shown on.
func copyExampleFiles(t *testing.T, dir string, files []string, work string) {
	t.Helper()
	src := filepath.Join(devtools.RepoRoot(), "examples", dir)
	declared := false
	for _, f := range files {
		text, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		declared = declared || strings.Contains(string(text), "required_providers")
		if err := os.WriteFile(filepath.Join(work, f), text, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !declared {
		head := "terraform {\n  required_providers {\n    baremetal = { source = \"metalform/baremetal\" }\n  }\n}\n"
		if err := os.WriteFile(filepath.Join(work, "versions.tf"), []byte(head), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// exampleRun is what one example is given: its variables, and the nodes made for it
// (deleted when it ends).
type exampleRun struct {
	vars   map[string]string
	system string // the BMC system of the example's machine, for its check
	node   string // the UUID of the example's node, for its check
}

// enrolledNode enrolls a fake-hardware node with one port, as an operator did before the
// example runs.
func (x *exampleRun) enrolledNode(t *testing.T, name, mac string) string {
	t.Helper()
	return exampleNode(t, nodes.CreateOpts{Name: name, Driver: "fake-hardware"}, mac, "")
}

// availableMachine enrolls a machine the harness's agent deploys (manual-management, PXE
// boot, direct deploy) with a port of its MAC, and makes it available.
func (x *exampleRun) availableMachine(t *testing.T, name, mac string, more func(*nodes.CreateOpts), traits ...string) string {
	t.Helper()
	opts := nodes.CreateOpts{Name: name, Driver: "manual-management", BootInterface: "pxe", DeployInterface: "direct",
		DriverInfo: map[string]any{"deploy_kernel": testServer.DeployKernel, "deploy_ramdisk": testServer.DeployRamdisk}}
	if more != nil {
		more(&opts)
	}
	id := exampleNode(t, opts, mac, ironic.StateAvailable, traits...)
	return id
}

// exampleNode creates a node with a port and traits, brings it to target (none: enroll)
// and deletes it when the test ends.
func exampleNode(t *testing.T, opts nodes.CreateOpts, mac, target string, traits ...string) string {
	t.Helper()
	ctx := context.Background()
	sc := testIronic(t)
	n, err := nodes.Create(ctx, sc, opts).Extract()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deleteFleet(sc, []string{n.UUID}) })
	if _, err := ports.Create(ctx, sc, ports.CreateOpts{NodeUUID: n.UUID, Address: mac}).Extract(); err != nil {
		t.Fatal(err)
	}
	if len(traits) > 0 {
		if err := testEngine(t).SetTraits(ctx, n.UUID, traits); err != nil {
			t.Fatal(err)
		}
	}
	if target != "" {
		if _, err := testEngine(t).Reach(ctx, n.UUID, ironic.Goal{State: target}); err != nil {
			t.Fatal(err)
		}
		// Ironic allocates only nodes whose power state it knows, which fake power has
		// none of until asked (a BMC would have told it).
		if _, err := testEngine(t).SetPower(ctx, n.UUID, "power off"); err != nil {
			t.Fatal(err)
		}
	}
	return n.UUID
}

// allocation asks Ironic for an allocation, as an operator did before the example runs
// (deleted when the test ends, before its node).
func (x *exampleRun) allocation(t *testing.T, body ironic.AllocationCreate) {
	t.Helper()
	a, err := testEngine(t).Allocate(context.Background(), body)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { testEngineNoT().DeleteAllocation(context.Background(), a.UUID) })
}

// exampleNodeUUID is the node the by-identity import examples name.
const exampleNodeUUID = "1be26c0b-03f2-4d2e-ae87-c02d7f33c123"

// raw creates an object in Ironic from its JSON body (which may name its UUID, which
// gophercloud's create options cannot), deleted when the test ends, and returns its UUID.
func (x *exampleRun) raw(t *testing.T, kind string, body map[string]any) string {
	t.Helper()
	sc := testIronic(t)
	var out struct {
		UUID string `json:"uuid"`
	}
	if _, err := sc.Post(context.Background(), sc.ServiceURL(kind), body, &out, nil); err != nil {
		t.Fatalf("creating %s %v: %v", kind, body, err)
	}
	t.Cleanup(func() {
		if kind == "nodes" {
			deleteFleet(sc, []string{out.UUID})
			return
		}
		sc.Delete(context.Background(), sc.ServiceURL(kind, out.UUID), nil)
	})
	return out.UUID
}

// rawNode creates a node from its JSON body, deleted (with its ports) when the test ends.
func (x *exampleRun) rawNode(t *testing.T, body map[string]any) string {
	return x.raw(t, "nodes", body)
}

// exampleImages are the files the examples' image server publishes, with SHA256SUMS.
var exampleImages = []string{"ubuntu-24.04.qcow2", "web.qcow2", "os.qcow2", "rhel-9.4.qcow2", "deploy.vmlinuz", "deploy.initramfs", "deploy.ramdisk"}

// exampleImageBody is what the examples' image server serves as the file name.
func exampleImageBody(name string) []byte { return []byte("example image " + name + "\n") }

// newExampleImageServer serves exampleImages (small stand-ins: the harness's agent
// writes whatever bytes it is given) and their SHA256SUMS, as an image server does.
func newExampleImageServer(t *testing.T) *httptest.Server {
	body := exampleImageBody
	var sums strings.Builder
	for _, name := range exampleImages {
		fmt.Fprintf(&sums, "%x  %s\n", sha256.Sum256(body(name)), name)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		w.Header().Set("Last-Modified", "Wed, 21 Oct 2026 07:28:00 GMT")
		switch {
		case name == "SHA256SUMS":
			w.Write([]byte(sums.String()))
		case slices.Contains(exampleImages, name):
			w.Write(body(name))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// keyedLocks serialises the examples that share a name.
type keyedLocks struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// lock takes the locks of keys, in one order (no deadlock), and returns their release.
func (l *keyedLocks) lock(keys []string) func() {
	keys = slices.Sorted(slices.Values(keys))
	var held []*sync.Mutex
	for _, k := range keys {
		l.mu.Lock()
		if l.locks == nil {
			l.locks = map[string]*sync.Mutex{}
		}
		m := l.locks[k]
		if m == nil {
			m = &sync.Mutex{}
			l.locks[k] = m
		}
		l.mu.Unlock()
		m.Lock()
		held = append(held, m)
	}
	return func() {
		for _, m := range held {
			m.Unlock()
		}
	}
}

// checkRedfishServer checks what the redfish-server guide promises on the machine: a
// virtual-media boot in UEFI mode, the RAID-1 root volume, and the config drive the agent wrote holds the SSH keys as meta_data's public_keys object, and
// network_data with the two NICs by MAC and the bond over them.
func checkRedfishServer(t *testing.T, w *cliWorkspace, x *exampleRun) {
	t.Helper()
	id := strings.TrimSpace(w.run("output", "-raw", "node_id"))
	// The agent booted from the virtual CD, in UEFI mode; the machine now boots its disk.
	bmc, system := testServer.BMC, x.system
	booted := false
	for _, b := range bmc.CdBoots(system) {
		booted = booted || (b.Done && b.Err == "")
	}
	if !booted || bmc.BootedFrom(system) != "Hdd" {
		t.Errorf("the machine did not boot the agent from its virtual CD, then its disk: %+v, now from %s", bmc.CdBoots(system), bmc.BootedFrom(system))
	}
	if mode, _ := bmc.BootMode(system); mode != ironictest.RedfishUEFI {
		t.Errorf("the machine boots in %s mode", mode)
	}
	// The RAID-1 root volume, built by the cleaning on the two SSDs.
	if v := bmc.Volumes(system); len(v) != 1 || v[0].RAIDType != "RAID1" || v[0].CapacityBytes != 450*ironictest.GiB {
		t.Errorf("the BMC's volumes: %+v", v)
	}
	iso, err := os.ReadFile(testServer.Agent.ConfigDrivePath(id))
	if err != nil {
		t.Fatalf("the agent wrote no config drive for %s: %v", id, err)
	}
	var meta, network map[string]any
	for _, d := range isoJSONObjects(iso) {
		switch {
		case d["public_keys"] != nil:
			meta = d
		case d["links"] != nil:
			network = d
		}
	}
	if keys, _ := meta["public_keys"].(map[string]any); !strings.HasPrefix(fmt.Sprint(keys["admin"]), "ssh-ed25519 ") {
		t.Errorf("meta_data.json: %v", meta)
	}
	links, _ := network["links"].([]any)
	var phys, bonds int
	for _, l := range links {
		switch l.(map[string]any)["type"] {
		case "phy":
			phys++
		case "bond":
			if bl, _ := l.(map[string]any)["bond_links"].([]any); len(bl) == 2 {
				bonds++
			}
		}
	}
	if phys != 2 || bonds != 1 {
		t.Errorf("network_data.json: %v", network)
	}
}

// checkOCIExample checks what examples/resources/baremetal_image/oci.tf promises: the
// agent wrote the image pulled from the registry, Ironic holds the pull secret masked,
// and the state holds it nowhere.
func checkOCIExample(t *testing.T, w *cliWorkspace, x *exampleRun) {
	t.Helper()
	want := exampleImageBody("oci disk")
	if got, err := testServer.Agent.Disk(x.node, len(want)); err != nil || string(got) != string(want) {
		t.Errorf("the disk of %s holds %q (%v), want %q; agent log:\n%s", x.node, got, err, want, strings.Join(testServer.Agent.Log(x.node), "\n"))
	}
	n, err := nodes.Get(context.Background(), testIronic(t), x.node).Extract()
	if err != nil {
		t.Fatal(err)
	}
	if n.InstanceInfo[ociPullSecretKey] != ironic.Masked {
		t.Errorf("Ironic holds no masked pull secret: %v", n.InstanceInfo)
	}
	if secret := x.vars["registry_pull_secret"]; strings.Contains(w.run("state", "pull"), secret) {
		t.Error("the pull secret is in the state")
	}
}
