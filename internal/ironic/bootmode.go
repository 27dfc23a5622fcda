package ironic

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"

	"github.com/metalform/terraform-provider-baremetal/internal/backoff"
)

// Boot modes as Ironic names them (ironic.common.boot_modes).
const (
	BootModeUEFI = "uefi"
	BootModeBIOS = "bios"
)

// BootModes are the modes Ironic's boot mode call takes.
var BootModes = []string{BootModeUEFI, BootModeBIOS}

// NodeBoot is the machine's boot mode and secure boot as Ironic last read them from the
// BMC (the node's boot_mode and secure_boot, API 1.75). They are a cache the conductor
// refreshes at its power sync (every [conductor]sync_power_state_interval, 60 s by
// default), at verify (manage) and when it changes them; empty where the management
// interface cannot tell (fake, ipmitool without the call).
type NodeBoot struct {
	Mode       string `json:"boot_mode"`
	SecureBoot *bool  `json:"secure_boot"`
}

// BootedNode is a node with its boot fields, which gophercloud's Node lacks.
type BootedNode struct {
	nodes.Node
	NodeBoot
}

// bootFieldsRead: where the negotiated microversion lacks the boot fields, reads leave
// them empty.
func (c *Client) bootFieldsRead() bool {
	return FeatureNamed("boot mode fields").Available(c.SC.Microversion)
}

// GetBootedNode reads a node with its boot fields (one GET, as GetNode).
func (c *Client) GetBootedNode(ctx context.Context, id string) (*BootedNode, error) {
	var out BootedNode
	if err := rawGet(ctx, c.SC, &out, "nodes", id); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListAllBootedNodes is ListAllNodes with each node's boot fields.
func (c *Client) ListAllBootedNodes(ctx context.Context) ([]BootedNode, error) {
	return listPages(ctx, c, "nodes", func(marker string) (string, error) {
		q, err := nodes.ListOpts{Limit: listPageSize, Marker: marker}.ToNodeListDetailQuery()
		return c.SC.ServiceURL("nodes", "detail") + q, err
	}, func(n *BootedNode) string { return n.UUID })
}

// ReadNodeBoot reads the node's boot fields alone; empty where the microversion lacks them.
func (c *Client) ReadNodeBoot(ctx context.Context, id string) (NodeBoot, error) {
	var out NodeBoot
	if !c.bootFieldsRead() {
		return out, nil
	}
	err := rawGet(ctx, c.SC, &out, "nodes", id+"?fields=boot_mode,secure_boot")
	return out, err
}

// BootChange is the boot mode and secure boot an apply sets (API 1.76): "" and nil
// leave them as they are.
type BootChange struct {
	Mode       string
	SecureBoot *bool
}

// Empty reports whether the change sets nothing.
func (b BootChange) Empty() bool { return b.Mode == "" && b.SecureBoot == nil }

// BootSettleTime bounds the wait for one boot call. The conductor makes the change in
// the background and records the value at once when the BMC took it; when the BMC
// already had it (and Ironic's cache was stale) it changes nothing, and the cache
// follows at the next power sync (60 s by default).
var BootSettleTime = 3 * time.Minute

// BootError is a boot mode or secure boot change that did not take.
type BootError struct {
	NodeID, Field, Target string
	// LastError is what the conductor recorded ("" when the wait ran out).
	LastError string
	// Reported is the value Ironic reports now.
	Reported string
	Err      error
}

func (e *BootError) Error() string {
	switch {
	case e.LastError != "":
		return fmt.Sprintf("setting %s to %s on node %s failed: %s", e.Field, e.Target, e.NodeID, e.LastError)
	case e.Err != nil && e.Reported == "":
		return fmt.Sprintf("setting %s to %s on node %s failed: %s", e.Field, e.Target, e.NodeID, Message(e.Err))
	default:
		return fmt.Sprintf("node %s still reports %s = %s after asking for %s (waited %s): the BMC did not take it, or "+
			"Ironic has not read it back yet (its power sync refreshes the value)", e.NodeID, e.Field, e.Reported, e.Target, BootSettleTime)
	}
}

func (e *BootError) Unwrap() error { return e.Err }

// SetBoot makes the change, one call at a time and each waited on until Ironic reports
// the value (or records an error, or BootSettleTime passes): secure boot off first
// (before a switch to BIOS), then the boot mode, then secure boot on (which needs UEFI).
// A value Ironic already reports is not sent. It returns the node's boot fields as the
// last read found them.
func (c *Client) SetBoot(ctx context.Context, id string, b BootChange) (NodeBoot, error) {
	cur, err := c.ReadNodeBoot(ctx, id)
	if err != nil || b.Empty() {
		return cur, err
	}
	if b.SecureBoot != nil && !*b.SecureBoot {
		if cur, err = c.setBootField(ctx, id, cur, "secure_boot", false); err != nil {
			return cur, err
		}
	}
	if b.Mode != "" {
		if cur, err = c.setBootField(ctx, id, cur, "boot_mode", b.Mode); err != nil {
			return cur, err
		}
	}
	if b.SecureBoot != nil && *b.SecureBoot {
		cur, err = c.setBootField(ctx, id, cur, "secure_boot", true)
	}
	return cur, err
}

// bootValue is a boot field as text: "uefi", "true", "" for none.
func bootValue(b NodeBoot, field string) string {
	if field == "boot_mode" {
		return b.Mode
	}
	if b.SecureBoot == nil {
		return ""
	}
	return fmt.Sprint(*b.SecureBoot)
}

// setBootField sends PUT /v1/nodes/{id}/states/{field} {"target": value} and waits for
// the node to report it. The conductor clears last_error when it takes the call and
// records "Failed to change ..." there when the change fails.
func (c *Client) setBootField(ctx context.Context, id string, cur NodeBoot, field string, value any) (NodeBoot, error) {
	want := fmt.Sprint(value)
	if bootValue(cur, field) == want {
		return cur, nil
	}
	c.log(ctx, "setting "+field, map[string]any{"node": id, "target": want})
	_, err := c.SC.Put(ctx, c.SC.ServiceURL("nodes", id, "states", field), map[string]any{"target": value}, nil,
		&gophercloud.RequestOpts{OkCodes: []int{202}})
	if err != nil {
		return cur, &BootError{NodeID: id, Field: field, Target: want, Err: err}
	}
	wctx, cancel := context.WithTimeout(ctx, BootSettleTime)
	defer cancel()
	var failed string
	err = c.pollBooted(wctx, id, func(n *BootedNode) bool {
		cur = n.NodeBoot
		if strings.HasPrefix(n.LastError, bootFailure[field]) {
			failed = n.LastError
			return true
		}
		return bootValue(cur, field) == want
	})
	switch {
	case failed != "":
		return cur, &BootError{NodeID: id, Field: field, Target: want, LastError: failed}
	case err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded):
		return cur, &BootError{NodeID: id, Field: field, Target: want, Reported: orNone(bootValue(cur, field))}
	case err != nil:
		return cur, &BootError{NodeID: id, Field: field, Target: want, Err: err}
	}
	return cur, nil
}

// bootFailure begins what the conductor records in last_error when a change fails
// (conductor/utils.py node_change_boot_mode, node_change_secure_boot).
var bootFailure = map[string]string{"boot_mode": "Failed to change boot mode", "secure_boot": "Failed to change secure_boot"}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// pollBooted reads the node with its boot fields until done; transient answers poll on.
func (c *Client) pollBooted(ctx context.Context, id string, done func(*BootedNode) bool) error {
	return backoff.Poll(ctx, c.sleeper(), c.Poll, func() (bool, error) {
		n, err := c.GetBootedNode(ctx, id)
		if err != nil {
			if IsTransient(err) && ctx.Err() == nil {
				return false, nil
			}
			return false, err
		}
		return done(n), nil
	})
}

// BootConflict is a boot setting that cannot hold as configured: Field is "boot_mode"
// or "secure_boot".
type BootConflict struct{ Field, Reason string }

// CheckBoot says what keeps a boot mode and secure boot ("" and nil: not set) from
// holding on a node whose properties carry these capabilities ("": none):
//   - secure boot needs UEFI (Ironic's redfish interface refuses it in legacy BIOS mode);
//   - a boot_mode capability that disagrees: Ironic's deploy follows the capability over
//     the machine's mode (boot_mode_utils.get_boot_mode_for_deploy) and sets it on the
//     machine, so every deploy would switch the mode and every apply switch it back;
//   - a secure_boot capability that disagrees, which schedulers match flavors against.
//
// Without a capability, a deploy boots in the mode the machine is in: Ironic's
// sync_boot_mode takes the BMC's mode when the node names none.
func CheckBoot(mode string, secureBoot *bool, capabilities string) []BootConflict {
	var out []BootConflict
	if secureBoot != nil && *secureBoot && mode == BootModeBIOS {
		out = append(out, BootConflict{"secure_boot", "secure boot needs UEFI; boot_mode is \"bios\""})
	}
	if c := Capability(capabilities, "boot_mode"); mode != "" && c != "" && !strings.EqualFold(c, mode) {
		out = append(out, BootConflict{"boot_mode", fmt.Sprintf("properties.capabilities says boot_mode:%s, which Ironic's deploy "+
			"follows over the machine's mode and sets on the machine; remove it from capabilities or make it boot_mode:%s", c, mode)})
	}
	if c := Capability(capabilities, "secure_boot"); secureBoot != nil && c != "" && !strings.EqualFold(c, fmt.Sprint(*secureBoot)) {
		out = append(out, BootConflict{"secure_boot", fmt.Sprintf("properties.capabilities says secure_boot:%s; remove it from "+
			"capabilities or make it secure_boot:%v", c, *secureBoot)})
	}
	return out
}

// Capability is a key's value in a capabilities string ("k1:v1,k2:v2"), read as
// Ironic's driver_utils.get_node_capability reads it; "" when absent or malformed.
func Capability(capabilities, key string) string {
	for _, pair := range strings.Split(capabilities, ",") {
		parts := strings.Split(pair, ":")
		if len(parts) == 2 && strings.TrimSpace(parts[0]) == key {
			return strings.TrimSpace(parts[1])
		}
	}
	return ""
}
