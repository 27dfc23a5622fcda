package provider

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/metalform/terraform-provider-baremetal/internal/image"
	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// clients is what resources receive from Configure. It connects on first use, so a
// plan that needs no API call (only new resources) works before Ironic exists, and it
// connects once per provider process however many resources ask.
type clients struct {
	cfg       ironic.Config
	imageOpts image.Options

	// deadline bounds a Read, an import, a plan modification or a data source read:
	// one connection attempt plus a few requests, each bounded by request_timeout.
	deadline time.Duration

	mu     sync.Mutex
	ironic *ironic.Client
	err    error // a connection failure that trying again will not cure

	imageMu   sync.Mutex
	images    *image.Engine
	imagesErr error

	// nodes and ports serve a plan's refresh of many objects from one list call per kind.
	snapMu sync.Mutex
	nodes  *ironic.Snapshot[ironic.BootedNode]
	ports  *ironic.Snapshot[ironic.Port]
	wrote  bool // this process created, changed or deleted something

	// inventories caches node inventories for the plan-time hardware checks: a provider
	// process serves one plan or apply, and many ports share a node.
	inventories sync.Map // node ID -> *ironic.Inventory (nil: none)
}

func newClients(cfg ironic.Config, imageOpts image.Options) *clients {
	return &clients{cfg: cfg, imageOpts: imageOpts, deadline: operationDeadline(cfg)}
}

// operationDeadline: the API wait, then room for the connection and two more requests,
// each timing out once and retried once (120 s with the defaults).
func operationDeadline(cfg ironic.Config) time.Duration {
	rt := cfg.RequestTimeout
	if rt <= 0 {
		rt = ironic.DefaultRequestTimeout
	}
	return cfg.APITimeout + 4*rt
}

// bounded gives operations that have no user timeout (Read, ImportState, ModifyPlan,
// data sources) a deadline, so no plan waits forever on a silent endpoint.
func (c *clients) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	d := operationDeadline(ironic.Config{})
	if c != nil {
		d = c.deadline
	}
	return context.WithTimeout(ctx, d)
}

// Images returns the image engine, creating the cache directory on first use.
func (c *clients) Images() (*image.Engine, diag.Diagnostics) {
	var diags diag.Diagnostics
	if c == nil {
		diags.AddError("Provider not configured", "The baremetal provider was not configured before use; this is a bug in the provider or in Terraform.")
		return nil, diags
	}
	c.imageMu.Lock()
	defer c.imageMu.Unlock()
	if c.images == nil && c.imagesErr == nil {
		c.images, c.imagesErr = image.New(c.imageOpts)
	}
	if c.imagesErr != nil {
		diags.AddError("Unable to prepare the image cache", fmt.Sprintf("image_cache_dir %q: %s", c.imageOpts.CacheDir, c.imagesErr))
	}
	return c.images, diags
}

// Ironic returns the connected client, or a diagnostic saying why there is none.
func (c *clients) Ironic(ctx context.Context) (*ironic.Client, diag.Diagnostics) {
	var diags diag.Diagnostics
	if c == nil {
		diags.AddError("Provider not configured", "The baremetal provider was not configured before use; this is a bug in the provider or in Terraform.")
		return nil, diags
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ironic == nil && c.err == nil {
		ic, err := ironic.Connect(ctx, c.cfg)
		switch {
		case err == nil:
			c.ironic = ic
		case ctx.Err() != nil:
			// The caller gave up (cancelled, or its deadline passed): that says nothing
			// about Ironic, so the next caller connects afresh.
			diags.AddError("Unable to connect to Ironic", fmt.Sprintf("Endpoint %q: %s (%s)", c.cfg.Endpoint, err, ctx.Err()))
			return nil, diags
		default:
			c.err = err
		}
	}
	if c.err != nil {
		diags.AddError("Unable to connect to Ironic", fmt.Sprintf("Endpoint %q, auth_strategy %q: %s", c.cfg.Endpoint, c.cfg.AuthStrategy, c.err))
	}
	return c.ironic, diags
}

// batchAfter: a plan reading this many objects of a kind or fewer reads each with its
// own GET; beyond it, the rest come from one list call (a page holds a thousand) when
// they are a large share of what Ironic holds (ironic.Snapshot).
const batchAfter = 8

// readNode reads a node for a refresh: from the plan's list of nodes when many are read.
func (c *clients) readNode(ctx context.Context, ic *ironic.Client, id string) (*nodes.Node, error) {
	n, err := c.readBootedNode(ctx, ic, id)
	if n == nil {
		return nil, err
	}
	return &n.Node, err
}

// readBootedNode is readNode with the node's boot fields, which gophercloud's node lacks.
func (c *clients) readBootedNode(ctx context.Context, ic *ironic.Client, id string) (*ironic.BootedNode, error) {
	return readThrough(ctx, c, &c.nodes, id,
		func(ctx context.Context) ([]ironic.BootedNode, error) { return ic.ListAllBootedNodes(ctx) },
		func(ctx context.Context, id string) (*ironic.BootedNode, error) { return ic.GetBootedNode(ctx, id) },
		func(n *ironic.BootedNode) string { return n.UUID },
		func(ctx context.Context, limit int) (bool, error) { return ic.NodesAtMost(ctx, limit) })
}

// readPort reads a port for a refresh: from the plan's list of ports when many are read.
func (c *clients) readPort(ctx context.Context, ic *ironic.Client, id string) (*ironic.Port, error) {
	return readThrough(ctx, c, &c.ports, id,
		func(ctx context.Context) ([]ironic.Port, error) { return ic.ListAllPorts(ctx) },
		func(ctx context.Context, id string) (*ironic.Port, error) { return ic.GetPort(ctx, id) },
		func(p *ironic.Port) string { return p.UUID },
		func(ctx context.Context, limit int) (bool, error) { return ic.PortsAtMost(ctx, limit) })
}

// readThrough reads one object through its kind's snapshot, or with its own GET once
// this process has written anything.
func readThrough[T any](ctx context.Context, c *clients, slot **ironic.Snapshot[T], id string,
	list func(context.Context) ([]T, error), get func(context.Context, string) (*T, error), key func(*T) string,
	probe func(context.Context, int) (bool, error)) (*T, error) {
	c.snapMu.Lock()
	if c.wrote {
		c.snapMu.Unlock()
		return get(ctx, id)
	}
	if *slot == nil {
		*slot = &ironic.Snapshot[T]{List: list, Get: get, ID: key, After: batchAfter, Log: logDebug, Probe: probe}
	}
	snap := *slot
	c.snapMu.Unlock()
	return snap.Read(ctx, id)
}

// forWrite is the client for a create, update or delete. From then on, this process
// reads every object from Ironic: a read after the provider's own write sees it.
func (c *clients) forWrite(ctx context.Context) (*ironic.Client, diag.Diagnostics) {
	if c != nil {
		c.snapMu.Lock()
		c.wrote = true
		c.snapMu.Unlock()
	}
	return c.Ironic(ctx)
}

// begin starts a create, update or delete: bounded by the user's timeout (or def), with
// the connected client. ok is false when diags say why it cannot start; cancel is
// always safe to call.
func (c *clients) begin(ctx context.Context, timeout func(context.Context, time.Duration) (time.Duration, diag.Diagnostics),
	def time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc, *ironic.Client, bool) {
	ctx, cancel, ok := withTimeout(ctx, timeout, def, diags)
	if !ok {
		return ctx, cancel, nil, false
	}
	ic, d := c.forWrite(ctx)
	diags.Append(d...)
	return ctx, cancel, ic, !d.HasError()
}

// configureClients is the shared body of every resource's and data source's Configure.
func configureClients(data any, diags *diag.Diagnostics) *clients {
	if data == nil { // ValidateResourceConfig and friends run before Configure
		return nil
	}
	c, ok := data.(*clients)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("Expected *clients, got %T; this is a bug in the provider.", data))
	}
	return c
}

func logDebug(ctx context.Context, msg string, fields map[string]any) { tflog.Debug(ctx, msg, fields) }
func logWarn(ctx context.Context, msg string, fields map[string]any)  { tflog.Warn(ctx, msg, fields) }

// featureUse is an attribute that needs an API feature (ironic.Features) when set.
type featureUse struct{ attribute, feature string }

// checkFeatures reports at plan time each configured attribute the negotiated
// microversion lacks, naming the attribute, the microversion and the Ironic release that
// bring it. Without a connection it checks nothing (the apply reports what it finds).
func (c *clients) checkFeatures(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics, uses ...featureUse) {
	var configured []featureUse
	for _, u := range uses {
		var v attr.Value
		if d := config.GetAttribute(ctx, path.Root(u.attribute), &v); !d.HasError() && v != nil && !v.IsNull() {
			configured = append(configured, u)
		}
	}
	if len(configured) == 0 || c == nil {
		return
	}
	ic, d := c.Ironic(ctx)
	if d.HasError() || ic == nil {
		return
	}
	for _, u := range configured {
		if err := ironic.FeatureNamed(u.feature).Check(ic.Microversion()); err != nil {
			diags.AddAttributeError(path.Root(u.attribute), "Not supported by this Ironic", err.Error()+".")
		}
	}
}
