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
