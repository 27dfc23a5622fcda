package ironic

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

// deployedStates are the provision states in which a deployment holds the node: from
// the deploy request until the node is torn down again. The node's own resource leaves
// a node in these states alone.
var deployedStates = []string{
	"deploying", "wait call-back", "deploy failed", "deploy hold", "active", "error",
	"rescuing", "rescue wait", "rescue", "rescue failed", "unrescuing", "unrescue failed",
	"servicing", "service wait", "service failed", "service hold", "adopting",
}

// IsDeployed reports whether a deployment holds a node in this state.
func IsDeployed(state string) bool { return slices.Contains(deployedStates, state) }

// ironicOwnedInstanceInfo are the instance_info keys Ironic writes by itself while
// deploying; they are never the user's and never drift.
var ironicOwnedInstanceInfo = []string{
	"image_type", "image_url", "image_disk_format", "image_container_format", "image_properties",
	"image_tags", "image_size", "image_info", "image_source_type", "kernel_url", "ramdisk_url",
	"root_mb", "swap_mb", "ephemeral_mb", "ephemeral_format", "preserve_ephemeral_done",
	"configdrive", "deploy_boot_mode", "boot_iso_created_in_web_server", "agent_cached_deploy_kernel",
}

// IsIronicOwnedInstanceInfo reports whether Ironic writes this instance_info key itself.
func IsIronicOwnedInstanceInfo(key string) bool { return slices.Contains(ironicOwnedInstanceInfo, key) }

// TrackedInstanceInfo is Ironic's instance_info reduced to the keys the configuration
// manages. A masked value keeps the configured one; a configured key Ironic no longer
// holds is left out, so it shows as drift.
func TrackedInstanceInfo(remote, configured map[string]string) map[string]string {
	unmasked := UnmaskSecrets(remote, configured)
	out := map[string]string{}
	for k := range configured {
		if v, ok := unmasked[k]; ok {
			out[k] = v
		}
	}
	return out
}

// InstanceInfoDiffers reports whether deploying want would send the node something it
// does not already hold: a configured key with another value, or a key tracked before
// (in was) that the configuration dropped. Keys Ironic added, or that someone set by
// hand and nobody configured, do not count.
func InstanceInfoDiffers(want, remote, was map[string]string) bool {
	for k, v := range want {
		if r, ok := remote[k]; !ok || (r != v && r != Masked) {
			return true
		}
	}
	for k := range was {
		if _, still := want[k]; !still {
			if _, held := remote[k]; held {
				return true
			}
		}
	}
	return false
}

// DeploySpec is what a deployment asks of a node.
type DeploySpec struct {
	InstanceInfo map[string]string
	ConfigDrive  any                // sent with deploy and rebuild; nil: none
	DeploySteps  []nodes.DeployStep // sent with deploy and rebuild
}

// NotDeployableError says the node is not in a state a deployment can start from.
type NotDeployableError struct {
	NodeID, State string
	Maintenance   bool
}

func (e *NotDeployableError) Error() string {
	if e.Maintenance {
		return fmt.Sprintf("node %s is in maintenance mode: Ironic refuses to deploy it. Set maintenance = false on the node first", e.NodeID)
	}
	return fmt.Sprintf("node %s is in provision state %q; a deployment starts from \"available\" (or \"deploy failed\" after an earlier try). "+
		"Set target_provision_state = \"available\" on the node", e.NodeID, e.State)
}

// AlreadyDeployedError says a deployment would take over a node someone else deployed.
type AlreadyDeployedError struct{ NodeID, State string }

func (e *AlreadyDeployedError) Error() string {
	return fmt.Sprintf("node %s is already deployed (provision state %q) with another instance_info; nothing was changed. "+
		"To manage what runs on it, import it: terraform import <address> %s", e.NodeID, e.State, e.NodeID)
}

// Deploy brings a node to active with spec: from available, from deploy failed (an
// earlier try), or by waiting for a deploy already under way. A node that is already
// active counts as deployed only when it holds spec's instance_info (a create whose
// answer was lost); otherwise nothing is changed. It returns the node as it ends.
func (p *Provisioner) Deploy(ctx context.Context, id string, spec DeploySpec) (*nodes.Node, error) {
	node, err := nodes.Get(ctx, p.Client, id).Extract()
	if err != nil {
		return nil, err
	}
	if !Settled(node) && IsDeployed(node.ProvisionState) && node.ProvisionState != "wait call-back" {
		after, err := p.WaitStable(ctx, id)
		if err != nil {
			return p.refetch(ctx, id, node), &ProvisionError{NodeID: id, Action: "deploy", State: StateOf(after, node), Err: err}
		}
		node = after
	}
	remote := StringMap(node.InstanceInfo)
	switch node.ProvisionState {
	case StateAvailable, "deploy failed":
	case StateActive, "wait call-back":
		if InstanceInfoDiffers(spec.InstanceInfo, remote, nil) {
			return node, &AlreadyDeployedError{NodeID: id, State: node.ProvisionState}
		}
		if node.ProvisionState == StateActive {
			return node, nil
		}
	default:
		return node, &NotDeployableError{NodeID: id, State: node.ProvisionState}
	}
	if node.Maintenance {
		return node, &NotDeployableError{NodeID: id, State: node.ProvisionState, Maintenance: true}
	}
	if node.ProvisionState != "wait call-back" {
		if node, err = p.setInstanceInfo(ctx, node, spec.InstanceInfo); err != nil {
			return node, &ProvisionError{NodeID: id, Action: "set instance_info", State: node.ProvisionState, Err: err}
		}
	}
	return p.Reach(ctx, id, Goal{State: StateActive, ConfigDrive: spec.ConfigDrive, DeploySteps: spec.DeploySteps})
}

// Redeploy makes a deployed node (as just read) run spec: its instance_info is written
// and, when rebuild is set, Ironic's rebuild overwrites the disk. A node that stopped
// in deploy failed or error is deployed again.
func (p *Provisioner) Redeploy(ctx context.Context, node *nodes.Node, spec DeploySpec, rebuild bool) (*nodes.Node, error) {
	id := node.UUID
	var err error
	if !IsDeployed(node.ProvisionState) {
		return node, &NotDeployableError{NodeID: id, State: node.ProvisionState}
	}
	if rebuild || node.ProvisionState != StateActive {
		if node, err = p.setInstanceInfo(ctx, node, spec.InstanceInfo); err != nil {
			return node, &ProvisionError{NodeID: id, Action: "set instance_info", State: node.ProvisionState, Err: err}
		}
	}
	return p.Reach(ctx, id, Goal{State: StateActive, ConfigDrive: spec.ConfigDrive, DeploySteps: spec.DeploySteps, Rebuild: rebuild})
}

// Undeploy tears a deployment down (Ironic's "deleted": the node goes through cleaning
// when automated cleaning is on) until the node is available. Maintenance is lifted for
// it and restored afterwards. A node that is gone, or not deployed, needs nothing.
func (p *Provisioner) Undeploy(ctx context.Context, id string) (*nodes.Node, error) {
	node, err := nodes.Get(ctx, p.Client, id).Extract()
	if IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !IsDeployed(node.ProvisionState) {
		return node, nil
	}
	restore := node.Maintenance
	reason := node.MaintenanceReason
	if restore {
		if err := nodes.UnsetMaintenance(ctx, p.Client, id).ExtractErr(); err != nil {
			return node, fmt.Errorf("node %s: lifting maintenance to undeploy: %s", id, Message(err))
		}
	}
	after, err := p.Reach(ctx, id, Goal{State: StateAvailable})
	if restore {
		if merr := nodes.SetMaintenance(context.WithoutCancel(ctx), p.Client, id, nodes.MaintenanceOpts{Reason: reason}).ExtractErr(); merr != nil && err == nil {
			err = fmt.Errorf("node %s: restoring maintenance: %s", id, Message(merr))
		}
	}
	return after, err
}

// setInstanceInfo replaces the node's instance_info with want: a deploy or rebuild
// starts from exactly what is configured, and Ironic adds its own keys again.
func (p *Provisioner) setInstanceInfo(ctx context.Context, n *nodes.Node, want map[string]string) (*nodes.Node, error) {
	if want == nil {
		want = map[string]string{}
	}
	updated, err := nodes.Update(ctx, p.Client, n.UUID, nodes.UpdateOpts{
		nodes.UpdateOperation{Op: nodes.AddOp, Path: "/instance_info", Value: InstanceInfoValues(want)},
	}).Extract()
	if err != nil {
		return n, err
	}
	return updated, nil
}

// InstanceInfoValues is instance_info as Ironic wants it: strings, except traits (the
// node traits this deployment asks for, which select deploy templates), a JSON list.
func InstanceInfoValues(in map[string]string) map[string]any {
	out := AnyMap(in)
	if t, ok := in["traits"]; ok {
		var traits []string
		if json.Unmarshal([]byte(t), &traits) == nil {
			out["traits"] = traits
		}
	}
	return out
}
