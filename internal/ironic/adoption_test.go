package ironic

import (
	"context"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

func TestForeignInstance(t *testing.T) {
	const alloc, server = "a1b2c3d4-0000-4000-8000-000000000001", "5f1a7a0e-0000-4000-8000-000000000002"
	for _, c := range []struct {
		name       string
		node       nodes.Node
		foreign    bool
		nova       bool
		adopts     bool // AdoptsDeployment, without and with includeForeign
		adoptsWith bool
	}{
		{"deployed through Ironic's API", nodes.Node{ProvisionState: "active"}, false, false, true, true},
		{"deployed on an allocation", nodes.Node{ProvisionState: "active", InstanceUUID: alloc, AllocationUUID: alloc}, false, false, true, true},
		{"Nova's server", nodes.Node{ProvisionState: "active", InstanceUUID: server,
			InstanceInfo: map[string]any{"display_name": "web-1", "image_source": "x"}}, true, true, false, true},
		{"Nova's, nova_host_id only", nodes.Node{ProvisionState: "active", InstanceUUID: server,
			InstanceInfo: map[string]any{"nova_host_id": "compute-1"}}, true, true, false, true},
		{"Nova's, also on an allocation of its own", nodes.Node{ProvisionState: "active", InstanceUUID: server, AllocationUUID: alloc}, true, false, false, true},
		{"another service's (baremetal-operator)", nodes.Node{ProvisionState: "active", InstanceUUID: server}, true, false, false, true},
		{"Nova's node, no instance", nodes.Node{ProvisionState: "available"}, false, false, false, false},
		{"deploy failed", nodes.Node{ProvisionState: "deploy failed"}, false, false, false, false},
		{"torn down with an error", nodes.Node{ProvisionState: "error"}, false, false, false, false},
		{"adopt failed", nodes.Node{ProvisionState: "adopt failed"}, false, false, false, false},
		{"service failed", nodes.Node{ProvisionState: "service failed"}, false, false, false, false},
		{"deploying", nodes.Node{ProvisionState: "wait call-back"}, false, false, false, false},
		{"rescued", nodes.Node{ProvisionState: "rescue"}, false, false, true, true},
		{"held", nodes.Node{ProvisionState: "deploy hold"}, false, false, true, true},
		{"clean failed", nodes.Node{ProvisionState: "clean failed"}, false, false, false, false},
	} {
		if got := ForeignInstance(&c.node); got != c.foreign {
			t.Errorf("%s: ForeignInstance = %v", c.name, got)
		}
		if got := NovaInstance(&c.node); got != c.nova {
			t.Errorf("%s: NovaInstance = %v", c.name, got)
		}
		if got := AdoptsDeployment(&c.node, false); got != c.adopts {
			t.Errorf("%s: AdoptsDeployment = %v", c.name, got)
		}
		if got := AdoptsDeployment(&c.node, true); got != c.adoptsWith {
			t.Errorf("%s: AdoptsDeployment with foreign instances = %v", c.name, got)
		}
	}
}

func TestMaskedKeys(t *testing.T) {
	got := MaskedKeys(map[string]string{"ipmi_password": Masked, "ipmi_address": "10.0.0.1", "snmp_auth_key": Masked, "x": ""})
	if len(got) != 2 || got[0] != "ipmi_password" || got[1] != "snmp_auth_key" {
		t.Fatalf("MaskedKeys = %v", got)
	}
	if MaskedKeys(nil) != nil {
		t.Fatal("MaskedKeys(nil) is not nil")
	}
}

// The node list of the baremetal_nodes data source learns which instance_uuid is an
// allocation's from the allocations (a field-limited list cannot ask Ironic 21.4 for
// allocation_uuid), and asks for them only when a node has an instance_uuid.
func TestListNodesMarksAllocated(t *testing.T) {
	f, c := newFakePagedAPI(t, 10, map[string][]map[string]any{
		"nodes": {
			{"uuid": "n0", "provision_state": "active", "instance_uuid": "a0"},
			{"uuid": "n1", "provision_state": "active", "instance_uuid": "s1"},
			{"uuid": "n2", "provision_state": "available"},
		},
		"allocations": {{"uuid": "a0"}},
	})
	found, err := c.ListNodes(context.Background(), NodeFilter{})
	if err != nil || len(found) != 3 {
		t.Fatalf("%v %v", found, err)
	}
	if ForeignInstance(&found[0]) || !ForeignInstance(&found[1]) || ForeignInstance(&found[2]) {
		t.Errorf("foreign: %v %v %v", ForeignInstance(&found[0]), ForeignInstance(&found[1]), ForeignInstance(&found[2]))
	}
	if len(f.calls) != 2 || !strings.HasPrefix(f.calls[1], "GET /allocations?fields=uuid") {
		t.Errorf("calls:\n%s", strings.Join(f.calls, "\n"))
	}
	f.objects["nodes"] = f.objects["nodes"][2:]
	f.calls = nil
	if _, err := c.ListNodes(context.Background(), NodeFilter{}); err != nil || len(f.calls) != 1 {
		t.Errorf("without an instance_uuid the allocations are read too: %v\n%s", err, strings.Join(f.calls, "\n"))
	}
}

// Port groups are grouped by node: node by node for a few nodes, one list for many.
func TestPortgroupsOfNodes(t *testing.T) {
	f, c := newFakePagedAPI(t, 10, map[string][]map[string]any{"portgroups": {
		{"uuid": "g0", "node_uuid": "n0", "address": "52:00:00:00:00:01"}, {"uuid": "g1", "node_uuid": "n1"},
	}})
	many := []string{"n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8"}
	byNode, err := c.PortgroupsOfNodes(context.Background(), many)
	if err != nil || len(byNode["n0"]) != 1 || byNode["n0"][0].Address != "52:00:00:00:00:01" || len(byNode["n1"]) != 1 || len(f.calls) != 1 {
		t.Fatalf("%v %v\n%s", byNode, err, strings.Join(f.calls, "\n"))
	}
	f.calls = nil
	if _, err := c.PortgroupsOfNodes(context.Background(), []string{"n0", "n1"}); err != nil || len(f.calls) != 2 ||
		f.calls[0] != "GET /portgroups?fields=uuid%2Cnode_uuid%2Caddress%2Cname&limit=1000&node=n0" {
		t.Fatalf("%v\n%s", err, strings.Join(f.calls, "\n"))
	}
}
