package ironic

import (
	"context"
	"slices"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

// Adoption: what taking over nodes that already run (terraform query
// -generate-config-out, the fleet recipe's import blocks) makes of each. It must not
// hurt: nothing another service owns becomes Terraform's to undeploy, and nothing an
// import records plans a move.

// ForeignInstance reports whether the instance on n is another service's: its
// instance_uuid was set by something other than an allocation. Ironic's own deploy (and
// so this provider) never sets instance_uuid and an allocation sets it to its own UUID,
// while the Compute service (Nova) sets it to its server's UUID, and metal3's
// baremetal-operator to its host's. A baremetal_deployment adopted on such a node would,
// once removed from the configuration, undeploy an instance that service still holds.
func ForeignInstance(n *nodes.Node) bool {
	return n.InstanceUUID != "" && n.InstanceUUID != n.AllocationUUID
}

// NovaInstance reports whether a foreign instance carries the keys Nova's Ironic driver
// writes into instance_info (display_name, nova_host_id): how a message names the owner.
func NovaInstance(n *nodes.Node) bool {
	if !ForeignInstance(n) {
		return false
	}
	_, name := n.InstanceInfo["display_name"]
	_, host := n.InstanceInfo["nova_host_id"]
	return name || host
}

// DeploymentAtRest reports whether a deployment imported on a node in this provision
// state plans no change: active, or where a deployment leaves the node be (held,
// serviced, rescued: KeepsDeployedState). From any other state a deployment holds the
// node in (deploy failed, error, adopt failed, a deploy under way) its next apply would
// deploy the node again; a failed servicing (service failed) waits for its abort.
func DeploymentAtRest(state string) bool { return state == StateActive || KeepsDeployedState(state) }

// AdoptsDeployment reports whether adopting node n makes a baremetal_deployment of it:
// its deployment is at rest (DeploymentAtRest) and its instance is not another service's
// (ForeignInstance), unless includeForeign. The node itself is adopted in every state,
// where it is.
func AdoptsDeployment(n *nodes.Node, includeForeign bool) bool {
	return DeploymentAtRest(n.ProvisionState) && (includeForeign || !ForeignInstance(n))
}

// DeploymentFilter selects, in a node list, the nodes whose deployment an adoption
// imports (AdoptsDeployment).
type DeploymentFilter struct {
	IncludeForeign bool // the instances of other services as well (ForeignInstance)
}

// deploymentFields are the fields AdoptsDeployment reads in a list with fields (Ironic
// 21.4 answers a list asking for allocation_uuid with an error 500: markAllocated sets it).
var deploymentFields = []string{"instance_uuid"}

// markAllocated sets the AllocationUUID of the nodes whose instance_uuid is an
// allocation's (an allocation sets it to its own UUID), for lists that could not ask
// for allocation_uuid. It reads the allocations' UUIDs only when some node has an
// instance_uuid. Allocations it may not read leave the nodes foreign: the safe side
// (their deployments are not adopted), never a failed list.
func (c *Client) markAllocated(ctx context.Context, found []nodes.Node) error {
	if !slices.ContainsFunc(found, func(n nodes.Node) bool { return n.InstanceUUID != "" && n.AllocationUUID == "" }) {
		return nil
	}
	allocated, err := c.allocationUUIDs(ctx)
	if err != nil && c.Log != nil {
		c.Log(ctx, "allocations not readable: instances on nodes are counted as other services'", map[string]any{"error": err.Error()})
	}
	for i := range found {
		if allocated[found[i].InstanceUUID] {
			found[i].AllocationUUID = found[i].InstanceUUID
		}
	}
	return nil
}

// allocationUUIDs are the UUIDs of every allocation the caller may see.
func (c *Client) allocationUUIDs(ctx context.Context) (map[string]bool, error) {
	out := map[string]bool{}
	err := allocationKind.each(ctx, c, nil, []string{"uuid"}, Listing{}, func(a *Allocation) bool {
		out[a.UUID] = true
		return true
	})
	return out, err
}

// MaskedKeys are the keys whose values Ironic returned masked (Masked), sorted: the
// secrets an adoption cannot read, which stay in Ironic as they are until the
// configuration supplies them.
func MaskedKeys(m map[string]string) []string {
	var out []string
	for k, v := range m {
		if v == Masked {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
