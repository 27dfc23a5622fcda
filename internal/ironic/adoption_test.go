package ironic

import (
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
