package provider

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/hashicorp/terraform-plugin-framework/diag"
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
	ironic *gophercloud.ServiceClient
	err    error // a connection failure that trying again will not cure

	imageMu   sync.Mutex
	images    *image.Engine
	imagesErr error

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
func (c *clients) Ironic(ctx context.Context) (*gophercloud.ServiceClient, diag.Diagnostics) {
	var diags diag.Diagnostics
	if c == nil {
		diags.AddError("Provider not configured", "The baremetal provider was not configured before use; this is a bug in the provider or in Terraform.")
		return nil, diags
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ironic == nil && c.err == nil {
		sc, err := ironic.Connect(ctx, c.cfg)
		switch {
		case err == nil:
			c.ironic = sc
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

// begin starts a create, update or delete: bounded by the user's timeout (or def), with
// the connected client. ok is false when diags say why it cannot start; cancel is
// always safe to call.
func (c *clients) begin(ctx context.Context, timeout func(context.Context, time.Duration) (time.Duration, diag.Diagnostics),
	def time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc, *gophercloud.ServiceClient, bool) {
	ctx, cancel, ok := withTimeout(ctx, timeout, def, diags)
	if !ok {
		return ctx, cancel, nil, false
	}
	sc, d := c.Ironic(ctx)
	diags.Append(d...)
	return ctx, cancel, sc, !d.HasError()
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
