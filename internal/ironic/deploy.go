package ironic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/ports"

	"github.com/metalform/terraform-provider-baremetal/internal/backoff"
)

// ironicOwnedInstanceInfo are the instance_info keys Ironic writes by itself while
// deploying; they are never the user's and never drift.
var ironicOwnedInstanceInfo = []string{
	"image_type", "image_url", "image_disk_format", "image_container_format", "image_properties",
	"image_tags", "image_size", "image_info", "image_source_type", "kernel_url", "ramdisk_url",
	"root_mb", "swap_mb", "ephemeral_mb", "ephemeral_format", "preserve_ephemeral_done",
	"configdrive", "deploy_boot_mode", "boot_iso_created_in_web_server", "agent_cached_deploy_kernel",
	"oci_image_manifest_url", authorizationSecretKey,
}

// IsIronicOwnedInstanceInfo reports whether Ironic writes this instance_info key itself.
func IsIronicOwnedInstanceInfo(key string) bool { return slices.Contains(ironicOwnedInstanceInfo, key) }

// PullSecretKey is the instance_info key Ironic 2025.1 and later read an OCI registry's
// pull secret from (image_service.get_image_service_auth_override); Ironic returns its
// value masked. It is sent from a write-only value (DeploySpec.PullSecret) and never
// recorded: every instance_info read back leaves it out.
const PullSecretKey = "image_pull_secret"

// authorizationSecretKey is where Ironic keeps the registry authorization it derived
// from the pull secret for the deploy of an OCI image (image_service.py, handed to the
// agent), returned masked: Ironic's, and never recorded either.
const authorizationSecretKey = "image_request_authorization_secret"

// neverRecorded: the secrets in instance_info that no state holds.
func neverRecorded(key string) bool { return key == PullSecretKey || key == authorizationSecretKey }

// RecordedInstanceInfo is Ironic's instance_info as an import records it: every key but
// the ones Ironic writes itself (IsIronicOwnedInstanceInfo: no configuration's, never
// drift), the pull secret and the authorization Ironic derived from it, whose masked
// values are no configuration's. The record then has the keys of the configuration
// that deployed the node: a configuration whose values are known only at apply (a new
// baremetal_image's digest) plans those keys, and the record is a final plan
// consistent with them once they are known to be the same.
func RecordedInstanceInfo(remote map[string]string) map[string]string {
	out := make(map[string]string, len(remote))
	for k, v := range remote {
		if !neverRecorded(k) && !IsIronicOwnedInstanceInfo(k) {
			out[k] = v
		}
	}
	return out
}

// TrackedInstanceInfo is Ironic's instance_info reduced to the keys the configuration
// manages, never the pull secret (a state that recorded its mask loses it; also the
// authorization Ironic derives from it). A masked value keeps the configured one; a configured key Ironic no longer
// holds is left out, so it shows as drift. The image keys keep their configured values
// while Ironic's name the same image (SameImage), whatever Ironic rewrote them to.
func TrackedInstanceInfo(remote, configured map[string]string) map[string]string {
	unmasked := UnmaskSecrets(remote, configured)
	sameImage := SameImage(configured, remote, true)
	out := map[string]string{}
	for k, v := range configured {
		if neverRecorded(k) {
			continue
		}
		if isImageKey(k) && sameImage {
			out[k] = v
		} else if r, ok := unmasked[k]; ok && (r != "" || !isImageKey(k)) {
			out[k] = r
		}
	}
	return out
}

// InstanceInfoDiffers reports whether deploying want would deploy something the node
// does not already run: a configured key Ironic holds with another value, or a key
// tracked before (in was) that the configuration dropped; for the image keys, another
// image than Ironic's (SameImage) or than the one recorded in was. Keys Ironic added, or
// that someone set by hand and nobody configured, do not count. wasByIronic says was
// came from Ironic (an import) rather than from a configuration.
func InstanceInfoDiffers(want, remote, was map[string]string, wasByIronic bool) bool {
	for k, v := range want {
		if isImageKey(k) {
			continue
		}
		if r, ok := remote[k]; !ok || (r != v && r != Masked) {
			return true
		}
	}
	for k := range was {
		if _, still := want[k]; !still && !isImageKey(k) && !neverRecorded(k) && !IsIronicOwnedInstanceInfo(k) {
			if _, held := remote[k]; held {
				return true
			}
		}
	}
	if !SameImage(want, remote, true) {
		return true
	}
	return was != nil && !SameImage(want, was, wasByIronic)
}

// SameRecordedInstanceInfo reports whether a configured instance_info is the one a
// deployment recorded: every configured key with its value, the record's other keys
// ones Ironic writes itself (recorded by imports before they left them out), and
// the same image (SameImage; recordedByIronic for an import).
func SameRecordedInstanceInfo(configured, recorded map[string]string, recordedByIronic bool) bool {
	for k, v := range configured {
		if s, ok := recorded[k]; !isImageKey(k) && (!ok || s != v) {
			return false
		}
	}
	for k := range recorded {
		if _, ok := configured[k]; !ok && !IsIronicOwnedInstanceInfo(k) && !isImageKey(k) {
			return false
		}
	}
	return SameImage(configured, recorded, recordedByIronic)
}

// ConfigDrive is a config drive as Ironic takes it to build the ISO itself (API 1.56;
// vendor_data 1.59, both older than MinMicroversion): each part becomes its file under
// openstack/latest/ (meta_data.json, network_data.json, vendor_data.json, user_data), the
// way cloud-init's OpenStack data source reads them. Ironic adds uuid and name to
// meta_data when they are missing. gophercloud's nodes.ConfigDrive has no vendor_data.
type ConfigDrive struct {
	MetaData    map[string]any `json:"meta_data,omitempty"`
	NetworkData map[string]any `json:"network_data,omitempty"`
	UserData    any            `json:"user_data,omitempty"`
	VendorData  map[string]any `json:"vendor_data,omitempty"`
}

// DeploySpec is what a deployment asks of a node.
type DeploySpec struct {
	InstanceInfo map[string]string
	ConfigDrive  any                // sent with deploy and rebuild; nil: none
	DeploySteps  []nodes.DeployStep // sent with deploy and rebuild
	// PullSecret is sent as instance_info's image_pull_secret with deploy and rebuild
	// (an OCI registry's; Ironic returns it masked), never compared or recorded.
	PullSecret string
}

// sentInstanceInfo is what a deploy or rebuild writes: instance_info and the pull secret.
func (s DeploySpec) sentInstanceInfo() map[string]string {
	if s.PullSecret == "" {
		return s.InstanceInfo
	}
	out := make(map[string]string, len(s.InstanceInfo)+1)
	for k, v := range s.InstanceInfo {
		out[k] = v
	}
	out[PullSecretKey] = s.PullSecret
	return out
}

// NeedsRebuild decides, on what Ironic holds now rather than on a plan, whether
// deploying spec on the node overwrites its disk: the instance differs from what it runs
// (InstanceInfoDiffers, against was, the instance_info recorded before), the boot inputs
// (config drive, deploy steps) changed for a node the provider deployed, or the node is
// in error, from where Ironic goes back to active only by rebuilding.
func NeedsRebuild(spec DeploySpec, node *nodes.Node, was map[string]string, adopted, bootInputsChanged bool) bool {
	return InstanceInfoDiffers(spec.InstanceInfo, StringMap(node.InstanceInfo), was, adopted) ||
		(!adopted && bootInputsChanged) || node.ProvisionState == StateError
}

// NotDeployableError says the node is not in a state a deployment can start from.
type NotDeployableError struct {
	NodeID, State string
	Maintenance   bool
}

func (e *NotDeployableError) Error() string {
	if e.Maintenance {
		return fmt.Sprintf("node %s is in maintenance mode: Ironic refuses to deploy it", e.NodeID)
	}
	return fmt.Sprintf("node %s is in provision state %q; a deployment starts from \"available\" (or \"deploy failed\" after an earlier try)",
		e.NodeID, e.State)
}

// AlreadyDeployedError says a deployment would take over a node someone else deployed.
type AlreadyDeployedError struct{ NodeID, State string }

func (e *AlreadyDeployedError) Error() string {
	return fmt.Sprintf("node %s is already deployed (provision state %q) with another instance_info; nothing was changed",
		e.NodeID, e.State)
}

// Deploy brings a node to active with spec: from available, from deploy failed (an
// earlier try), or by waiting for a deploy already under way. A node that is already
// active counts as deployed only when it holds spec's instance_info (a create whose
// answer was lost); otherwise nothing is changed. It returns the node as it ends.
func (c *Client) Deploy(ctx context.Context, id string, spec DeploySpec) (*nodes.Node, error) {
	node, err := nodes.Get(ctx, c.SC, id).Extract()
	if err != nil {
		return nil, err
	}
	if !Settled(node) && IsDeployed(node.ProvisionState) && node.ProvisionState != StateWaitCallBack {
		after, err := c.WaitStable(ctx, id)
		if err != nil {
			return c.refetch(ctx, id, node), &ProvisionError{NodeID: id, Action: "deploy", State: StateOf(after, node), Err: err}
		}
		node = after
	}
	if node.DeployInterface == NoopDeploy && node.ProvisionState != StateActive {
		return node, &NeverDeployedError{NodeID: id, Action: "deploy"}
	}
	remote := StringMap(node.InstanceInfo)
	switch node.ProvisionState {
	case StateAvailable, StateDeployFailed:
	case StateActive, StateWaitCallBack:
		if InstanceInfoDiffers(spec.InstanceInfo, remote, nil, true) {
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
	if node.ProvisionState != StateWaitCallBack {
		if p := checkDeploy(node, spec); p != nil {
			return node, p
		}
		if node, err = c.setInstanceInfo(ctx, node, spec.sentInstanceInfo()); err != nil {
			return node, &ProvisionError{NodeID: id, Action: "set instance_info", State: node.ProvisionState, Err: err}
		}
	}
	goal := Goal{State: StateActive, ConfigDrive: spec.ConfigDrive, DeploySteps: spec.DeploySteps}
	after, err := c.Reach(ctx, id, goal)
	if err != nil && refusedForNoPort(err) && c.waitForPort(ctx, id) {
		return c.Reach(ctx, id, goal)
	}
	return after, err
}

// DeployRefused reports whether a failed Deploy (err not nil; node as it returned)
// was refused before anything ran, so there is no deployment to record: no node, a
// node no deployment holds, one someone else deployed, or an instance_info its deploy
// interface does not take. Otherwise the deploy ran and failed, and the node holds a
// failed deployment.
func DeployRefused(node *nodes.Node, err error) bool {
	return node == nil || !IsDeployed(node.ProvisionState) || errors.As(err, new(*AlreadyDeployedError)) ||
		errors.As(err, new(*InstanceInfoProblem))
}

// DeploymentReading is what a node's provision state says about the deployment that
// holds it, when the deployment is read or imported.
type DeploymentReading struct {
	Gone    bool   // no deployment holds the node (any more): nothing to keep or import
	Note    string // Ironic holds or services the deployed node (HeldOrServiced); "" otherwise
	Unknown bool   // a state the provider does not know: the deployment is kept, the node left alone
}

// ReadDeployment reads n's provision state as its deployment's.
func ReadDeployment(n *nodes.Node) DeploymentReading {
	if !IsDeployed(n.ProvisionState) {
		return DeploymentReading{Gone: true}
	}
	return DeploymentReading{Note: HeldOrServiced(n), Unknown: !IsKnownState(n.ProvisionState)}
}

// refusedForNoPort: Ironic's PXE and iPXE boot refuse to deploy a node without a port
// (it has nothing to boot from). Terraform creates a node's ports beside its
// deployment, so the refusal may only mean they are still on their way.
func refusedForNoPort(err error) bool {
	return StatusCode(err) == http.StatusBadRequest && strings.Contains(Message(err), "does not have any port associated")
}

// portWait bounds how long a deploy waits for the node's first port.
const portWait = 2 * time.Minute

// waitForPort waits, within portWait and ctx, until the node has a port.
func (c *Client) waitForPort(ctx context.Context, id string) bool {
	ctx, cancel := context.WithTimeout(ctx, portWait)
	defer cancel()
	err := backoff.Poll(ctx, c.sleeper(), c.Poll, func() (bool, error) {
		page, err := ports.List(c.SC, ports.ListOpts{Node: id, Limit: 1, Fields: []string{"uuid"}}).AllPages(ctx)
		if err != nil {
			return false, nil // a transient answer: ask again
		}
		found, err := ports.ExtractPorts(page)
		return err == nil && len(found) > 0, nil
	})
	return err == nil
}

// Redeploy makes a deployed node (as just read) run spec: its instance_info is written
// and, when rebuild is set, Ironic's rebuild overwrites the disk. A node that stopped
// in deploy failed or error is deployed again.
func (c *Client) Redeploy(ctx context.Context, node *nodes.Node, spec DeploySpec, rebuild bool) (*nodes.Node, error) {
	id := node.UUID
	var err error
	if !IsDeployed(node.ProvisionState) {
		return node, &NotDeployableError{NodeID: id, State: node.ProvisionState}
	}
	if node.DeployInterface == NoopDeploy && (rebuild || node.ProvisionState != StateActive) {
		return node, &NeverDeployedError{NodeID: id, Action: "rebuild"}
	}
	if rebuild || node.ProvisionState != StateActive {
		if p := checkDeploy(node, spec); p != nil {
			return node, p
		}
		if node, err = c.setInstanceInfo(ctx, node, spec.sentInstanceInfo()); err != nil {
			return node, &ProvisionError{NodeID: id, Action: "set instance_info", State: node.ProvisionState, Err: err}
		}
	}
	return c.Reach(ctx, id, Goal{State: StateActive, ConfigDrive: spec.ConfigDrive, DeploySteps: spec.DeploySteps, Rebuild: rebuild})
}

// setInstanceInfo replaces the node's instance_info with want: a deploy or rebuild
// starts from exactly what is configured, and Ironic adds its own keys again.
func (c *Client) setInstanceInfo(ctx context.Context, n *nodes.Node, want map[string]string) (*nodes.Node, error) {
	if want == nil {
		want = map[string]string{}
	}
	updated, err := nodes.Update(ctx, c.SC, n.UUID, nodes.UpdateOpts{
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

// KnownDefect explains an Ironic answer that comes from a known defect of some Ironic
// releases, with what to do about it; "" for any other.
func KnownDefect(err error, spec DeploySpec) string {
	msg := Message(err)
	switch {
	case StatusCode(err) == http.StatusInternalServerError && strings.Contains(msg, "object has no attribute 'url'") &&
		strings.HasPrefix(spec.InstanceInfo["image_source"], "file://"):
		return "Ironic 2026.1 (35.x) fails every deploy of a file:// image this way: its file image service returns a " +
			"path where the code that follows expects an HTTP answer. Serve the image over http(s) instead (a " +
			"baremetal_image of the http(s) URL), or use an Ironic without that defect."
	case strings.Contains(msg, "Could not link image") && strings.Contains(msg, "cross-device link"):
		return "Ironic hard-links the images it caches (an ISO's in [deploy] iso_master_path, /var/lib/ironic by default) " +
			"into its temporary directory ([DEFAULT] tempdir, /tmp by default), which must be on the same file system: " +
			"configure Ironic so. For a ramdisk deploy's boot_iso, instance_info ramdisk_image_download_source = \"http\" " +
			"has the BMC fetch the ISO from its URL instead."
	case strings.Contains(msg, "child_node") && strings.Contains(msg, "is presently locked"):
		return "Ironic made the node its own parent_node (a defect of Debian's backport of CVE-2026-44918 to Ironic " +
			"35.0.1-10 and 29.0.5+deb13u3: every node update does it), so its power-off waits on itself. Update Ironic."
	}
	return ""
}
