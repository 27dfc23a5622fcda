package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// raidLayout is a raid_config with a RAID1 root volume of rootGB on the SSDs and, when
// dataGB is not empty, a RAID0 data volume of dataGB on the HDDs (DefaultDrives).
func raidLayout(rootGB, dataGB string) string {
	disks := fmt.Sprintf(`{ size_gb = %q, raid_level = "1", is_root_volume = true, disk_type = "ssd", interface_type = "sas" }`, rootGB)
	if dataGB != "" {
		disks += fmt.Sprintf(`, { size_gb = %q, raid_level = "0", disk_type = "hdd", volume_name = "data" }`, dataGB)
	}
	return fmt.Sprintf("apply_raid_config = true\n  raid_config = { logical_disks = [%s] }", disks)
}

// bmcVolumes checks that the BMC's RAID controller holds exactly these volumes, each
// "<RAIDType> <GiB> <drives>", in any order.
func bmcVolumes(bmc *ironictest.BMC, system string, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		var got []string
		for _, v := range bmc.Volumes(system) {
			got = append(got, fmt.Sprintf("%s %d %s", v.RAIDType, v.CapacityBytes/ironictest.GiB, strings.Join(v.Drives, ",")))
		}
		slices.Sort(got)
		want = slices.Sorted(slices.Values(want))
		if !slices.Equal(got, want) {
			return fmt.Errorf("the BMC holds volumes %q, want %q; it was asked: %v", got, want, bmc.Requests(system))
		}
		return nil
	}
}

// currentRAID checks the node's current_raid_config: the volumes Ironic read back from
// the BMC, each "<raid_level> <size_gb>", in any order.
func currentRAID(want ...string) resource.TestCheckFunc {
	return checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
		disks, _ := n.RAIDConfig["logical_disks"].([]any)
		var got []string
		for _, d := range disks {
			m, _ := d.(map[string]any)
			got = append(got, fmt.Sprintf("%v %v", m["raid_level"], m["size_gb"]))
		}
		slices.Sort(got)
		want = slices.Sorted(slices.Values(want))
		if !slices.Equal(got, want) {
			return fmt.Errorf("current RAID config %v, want %q", n.RAIDConfig, want)
		}
		return nil
	})
}

// A RAID layout built by manual cleaning on a Redfish machine at rest, through Ironic's
// redfish RAID interface and the real sushy library against the harness's BMC: the
// existing volumes deleted, the root and data volumes built on the drives Ironic picks
// (the SSDs for the root, an HDD for the data), read back as the node's
// current_raid_config; a changed layout replaces them. A layout Ironic accepts but the
// drives cannot hold (a mirror of the SSDs' full size, where the controller keeps some
// of each drive for its metadata) is refused by the BMC: the apply fails with the BMC's
// message, the node is back in manageable, where Ironic holds it in maintenance for the
// failed step (the error says so and how to lift it), and the next plan shows the build
// again. The corrected layout with maintenance = false is built by the next apply.
func TestAccNode_raidBuiltByCleaning(t *testing.T) {
	image := []byte("os image " + testNodeName())
	srv := newTestImageServer(t, image)
	cache := t.TempDir()
	name := testNodeName()
	node := redfishNode(t, name) + "\n  raid_interface = \"redfish\""
	bmc := testBMC(t)
	cfg := func(layout string) string {
		return deploymentConfig{Cache: cache, ImageURL: srv.URL, Name: name, Target: "manageable", Node: node + "\n  " + layout}.String()
	}
	manageable := resource.TestCheckResourceAttr("baremetal_node.n", "provision_state", "manageable")
	ironicTest(t, resource.TestStep{
		Config: cfg(raidLayout("100", "1000")),
		Check: resource.ComposeTestCheckFunc(manageable, bmcVolumes(bmc, name, "RAID1 100 Disk.0,Disk.1", "RAID0 1000 Disk.2"),
			currentRAID("1 100", "0 1000")),
	}, resource.TestStep{
		Config: cfg(raidLayout("200", "")),
		Check:  resource.ComposeTestCheckFunc(manageable, bmcVolumes(bmc, name, "RAID1 200 Disk.0,Disk.1"), currentRAID("1 200")),
	}, resource.TestStep{
		Config: cfg(raidLayout("500", "")),
		ExpectError: regexp.MustCompile(`(?s)Unable to apply BIOS settings or RAID configuration.*raid\.create_configuration.*` +
			`requested\s+capacity\s+of\s+536870912000\s+bytes\s+for\s+a\s+RAID1\s+volume\s+exceeds.*Disk\.0,\s+Disk\.1\s+can\s+hold` +
			`.*Ironic\s+put\s+node\s+\S+\s+in\s+maintenance\s+when\s+the\s+clean\s+step\s+failed.*maintenance\s+=\s+false` +
			`.*brought\s+back\s+to\s+"manageable".*next\s+plan\s+shows\s+the\s+RAID\s+build\s+again`),
	}, resource.TestStep{
		Config:             cfg(raidLayout("500", "")),
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
	}, resource.TestStep{
		Config: cfg(raidLayout("400", "") + "\n  maintenance = false"),
		Check: resource.ComposeTestCheckFunc(manageable, resource.TestCheckResourceAttr("baremetal_node.n", "maintenance", "false"),
			bmcVolumes(bmc, name, "RAID1 400 Disk.0,Disk.1"), currentRAID("1 400")),
	}, resource.TestStep{
		Config: cfg(raidLayout("400", "") + "\n  maintenance = false"), // nothing left to do
		Check:  bmcVolumes(bmc, name, "RAID1 400 Disk.0,Disk.1"),
	})
}

// A RAID layout built on a deployed Redfish machine by servicing (allow_servicing,
// Ironic 2023.2 and later): the redfish RAID interface's service steps delete the
// existing volumes and build the new ones, root and data, while the deployment stays
// as it was (active, the image on the disk, the deployment not replaced); a changed
// layout replaces the volumes. A layout the drives cannot hold is refused by the BMC:
// the error carries its message, Ironic put the node in maintenance, and once the
// operator lifted it the corrected layout is built by the next apply. On an Ironic
// without servicing the change is refused at plan time.
func TestAccNode_raidBuiltByServicing(t *testing.T) {
	sc := testIronic(t)
	image := []byte("os image " + testNodeName())
	srv := newTestImageServer(t, image)
	cache := t.TempDir()
	name := testNodeName()
	node := redfishNode(t, name) + "\n  raid_interface = \"redfish\""
	bmc := testBMC(t)
	cfg := func(layout string) string {
		if layout != "" {
			layout = "allow_servicing   = true\n  " + layout
		}
		return deploymentConfig{Cache: cache, ImageURL: srv.URL, Name: name, Node: node + "\n  " + layout, Deployed: true}.String()
	}
	var deployed *nodes.Node
	steps := []resource.TestStep{{
		Config: cfg(""),
		Check: checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			deployed = n
			if n.ProvisionState != "active" || n.RAIDInterface != "redfish" {
				return fmt.Errorf("deployed: %s, raid interface %q", n.ProvisionState, n.RAIDInterface)
			}
			return nil
		}),
	}}
	if mv := testNegotiated(t); !ironic.FeatureNamed("servicing").Available(mv) {
		ironicTest(t, append(steps, resource.TestStep{
			Config:      cfg(raidLayout("100", "")),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Not supported by this Ironic.*servicing.*needs\s+API\s+1\.87`),
		})...)
		return
	}
	stillDeployed := func(state string) resource.TestCheckFunc {
		return resource.ComposeTestCheckFunc(checkDisk("baremetal_node.n", image), checkRemoteNode("baremetal_node.n", func(n *nodes.Node) error {
			if n.ProvisionState != state || fmt.Sprint(n.InstanceInfo["image_source"]) != fmt.Sprint(deployed.InstanceInfo["image_source"]) {
				return fmt.Errorf("after servicing: %q, instance_info %v", n.ProvisionState, n.InstanceInfo)
			}
			if log := strings.Join(testAgent(t).Log(n.UUID), "\n"); strings.Count(log, "write_image:") != 1 {
				return fmt.Errorf("the agent wrote the image more than once (the deploy):\n%s", log)
			}
			return nil
		}))
	}
	ironicTest(t, append(steps, resource.TestStep{
		Config:           cfg(raidLayout("100", "1000")),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: servicedInPlace()},
		Check: resource.ComposeTestCheckFunc(stillDeployed("active"),
			bmcVolumes(bmc, name, "RAID1 100 Disk.0,Disk.1", "RAID0 1000 Disk.2"), currentRAID("1 100", "0 1000")),
	}, resource.TestStep{
		Config:           cfg(raidLayout("200", "1000")),
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: servicedInPlace()},
		Check: resource.ComposeTestCheckFunc(stillDeployed("active"),
			bmcVolumes(bmc, name, "RAID1 200 Disk.0,Disk.1", "RAID0 1000 Disk.2"), currentRAID("1 200", "0 1000")),
	}, resource.TestStep{
		Config: cfg(raidLayout("500", "1000")),
		ExpectError: regexp.MustCompile(`(?s)Unable to apply BIOS settings or RAID configuration.*servicing\s+failed.*raid\.apply_configuration.*` +
			`requested\s+capacity\s+of\s+536870912000\s+bytes\s+for\s+a\s+RAID1\s+volume\s+exceeds.*Disk\.0,\s+Disk\.1\s+can\s+hold` +
			`.*baremetal\s+node\s+maintenance\s+unset`),
	}, resource.TestStep{
		PreConfig: func() { // the operator checked the machine and lifts maintenance
			if err := nodes.UnsetMaintenance(context.Background(), sc, deployed.UUID).ExtractErr(); err != nil {
				t.Fatal(err)
			}
		},
		Config:           cfg(raidLayout("400", "1000")), // the failed servicing is aborted back to active first
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: servicedInPlace()},
		Check: resource.ComposeTestCheckFunc(stillDeployed("active"),
			bmcVolumes(bmc, name, "RAID1 400 Disk.0,Disk.1", "RAID0 1000 Disk.2"), currentRAID("1 400", "0 1000")),
	})...)
}
