package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// A config drive in the shape cloud-init reads: Ironic builds the ISO from the JSON
// parts, the agent writes it to the machine, and there meta_data.json holds public_keys
// as an object (name to key) beside the hostname and the uuid Ironic adds, and
// vendor_data.json the vendor data. The next plan is empty.
func TestAccDeployment_configDriveForCloudInit(t *testing.T) {
	srv := newTestImageServer(t, []byte("os image with a config drive "+testNodeName()))
	name := testNodeName()
	cfg := deploymentConfig{Cache: t.TempDir(), ImageURL: srv.URL, Name: name, Node: agentNode(t), Deployed: true,
		Deployment: `config_drive = {
    user_data = "#cloud-config\nhostname: ` + name + `\n"
    meta_data = jsonencode({
      hostname    = "` + name + `"
      public_keys = { admin = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG5vdGFyZWFsa2V5 admin@example" }
    })
    vendor_data = jsonencode({ "cloud-init" = "#cloud-config\nruncmd: [touch /etc/vendor-was-here]\n" })
    network_data = jsonencode({
      links    = [{ id = "eth0", type = "phy", ethernet_mac_address = "` + macFor(name) + `" }]
      networks = [{ id = "net0", link = "eth0", type = "ipv4_dhcp" }]
    })
  }`}
	ironicTest(t, resource.TestStep{
		Config: cfg.String(),
		Check: func(s *terraform.State) error {
			id, err := stateID(s, "baremetal_node.n")
			if err != nil {
				return err
			}
			iso, err := os.ReadFile(testServer.Agent.ConfigDrivePath(id))
			if err != nil {
				return fmt.Errorf("the agent wrote no config drive: %w", err)
			}
			docs := isoJSONObjects(iso)
			var meta, vendor, network map[string]any
			for _, d := range docs {
				switch {
				case d["public_keys"] != nil:
					meta = d
				case d["cloud-init"] != nil:
					vendor = d
				case d["links"] != nil:
					network = d
				}
			}
			keys, _ := meta["public_keys"].(map[string]any)
			if keys == nil || !strings.HasPrefix(fmt.Sprint(keys["admin"]), "ssh-ed25519 ") || meta["hostname"] != name || meta["uuid"] != id {
				return fmt.Errorf("meta_data.json on the disk: %v (every JSON object of the config drive: %v)", meta, docs)
			}
			if !strings.Contains(fmt.Sprint(vendor["cloud-init"]), "vendor-was-here") {
				return fmt.Errorf("vendor_data.json on the disk: %v (every JSON object of the config drive: %v)", vendor, docs)
			}
			if links, _ := network["links"].([]any); len(links) != 1 {
				return fmt.Errorf("network_data.json on the disk: %v", network)
			}
			if !bytes.Contains(iso, []byte("hostname: "+name)) {
				return fmt.Errorf("the user data is not on the config drive")
			}
			return nil
		},
	}, resource.TestStep{Config: cfg.String(), PlanOnly: true})
}

// isoJSONObjects are the JSON objects of an ISO 9660 image (a config drive's files are
// small, each beginning a 2048-byte sector).
func isoJSONObjects(iso []byte) []map[string]any {
	var out []map[string]any
	for off := 0; off < len(iso); off += 2048 {
		if iso[off] != '{' {
			continue
		}
		var doc map[string]any
		if json.NewDecoder(bytes.NewReader(iso[off:])).Decode(&doc) == nil {
			out = append(out, doc)
		}
	}
	return out
}
