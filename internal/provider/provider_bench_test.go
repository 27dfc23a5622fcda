package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// The provider-only benchmarks: what Terraform asks of the provider for one object in a
// plan, driven against the provider's protocol 6 server (the one Terraform talks to),
// with Ironic answered from recorded responses (testdata/bench, recorded by
// TestBenchRecord from the acceptance harness's Ironic 21.4). No Terraform, no Ironic:
//
//	go test ./internal/provider -run '^$' -bench ProviderPlan -benchmem -cpuprofile cpu.out
//
// BenchmarkProviderPlan is one object's share of a plan that changes nothing, the RPCs
// Terraform 1.16 makes for it in order (ValidateResourceConfig, UpgradeResourceState,
// ReadResource, ValidateResourceConfig, PlanResourceChange). BenchmarkNode and
// BenchmarkPort time each RPC alone, and ApplyResourceChange for an update (one
// attribute changed). Reads are served from the batched refresh's list, as in a plan over
// many objects (the list's decoding, once per plan, is not in the time).

func BenchmarkProviderPlan(b *testing.B) {
	for _, kind := range benchKinds {
		b.Run(kind, func(b *testing.B) {
			r := newBenchRun(b, kind, "plan")
			r.warmReads(b)
			benchLoop(b, func() error {
				_, err := r.plan(context.Background())
				return err
			})
		})
	}
}

func BenchmarkNode(b *testing.B) { benchmarkRPCs(b, "node") }
func BenchmarkPort(b *testing.B) { benchmarkRPCs(b, "port") }

var benchKinds = []string{"node", "port"}

func benchmarkRPCs(b *testing.B, kind string) {
	ctx := context.Background()
	r := newBenchRun(b, kind, "plan")
	r.warmReads(b)
	p, err := r.plan(ctx)
	if err != nil {
		b.Fatal(err)
	}
	run := func(name string, rpc func() ([]*tfprotov6.Diagnostic, error)) {
		b.Run(name, func(b *testing.B) {
			benchLoop(b, func() error {
				diags, err := rpc()
				if err == nil {
					err = diagsError(diags)
				}
				return err
			})
		})
	}
	run("UpgradeResourceState", func() ([]*tfprotov6.Diagnostic, error) {
		resp, err := r.srv.UpgradeResourceState(ctx, r.upgradeRequest())
		return respDiags(resp, err, func() []*tfprotov6.Diagnostic { return resp.Diagnostics })
	})
	run("ValidateResourceConfig", func() ([]*tfprotov6.Diagnostic, error) {
		resp, err := r.srv.ValidateResourceConfig(ctx, r.validateRequest())
		return respDiags(resp, err, func() []*tfprotov6.Diagnostic { return resp.Diagnostics })
	})
	run("ReadResource", func() ([]*tfprotov6.Diagnostic, error) {
		resp, err := r.srv.ReadResource(ctx, r.readRequest(p.upgraded))
		return respDiags(resp, err, func() []*tfprotov6.Diagnostic { return resp.Diagnostics })
	})
	run("PlanResourceChange", func() ([]*tfprotov6.Diagnostic, error) {
		resp, err := r.srv.PlanResourceChange(ctx, r.planRequest(p.read, r.config, r.proposed))
		return respDiags(resp, err, func() []*tfprotov6.Diagnostic { return resp.Diagnostics })
	})
	// The update: planned by this server (the Ironic it reads is the plan's), applied by
	// another, whose Ironic answers as it did to the recorded apply.
	up, err := r.srv.PlanResourceChange(ctx, r.planRequest(p.read, r.updateConfig, r.updateProposed))
	if err == nil {
		err = diagsError(up.Diagnostics)
	}
	if err != nil {
		b.Fatal(err)
	}
	a := newBenchRun(b, kind, "apply")
	run("ApplyResourceChange", func() ([]*tfprotov6.Diagnostic, error) {
		resp, err := a.srv.ApplyResourceChange(ctx, a.applyRequest(p.read, up))
		return respDiags(resp, err, func() []*tfprotov6.Diagnostic { return resp.Diagnostics })
	})
}

// benchLoop runs f b.N times, reporting allocations and, beside the wall time, the
// process's CPU time per operation (cpu-ns/op: user and system, the garbage collector's
// work on other threads included), which a loaded machine inflates far less.
func benchLoop(b *testing.B, f func() error) {
	b.ReportAllocs()
	start := processCPU()
	for b.Loop() {
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
}

func respDiags[T any](resp *T, err error, diags func() []*tfprotov6.Diagnostic) ([]*tfprotov6.Diagnostic, error) {
	if err != nil {
		return nil, err
	}
	if resp == nil {
		return nil, fmt.Errorf("no response")
	}
	return diags(), nil
}

// benchRun is one provider server, configured against a fake Ironic, with one object's
// recorded requests.
type benchRun struct {
	srv      tfprotov6.ProviderServer
	fake     *fakeIronic
	obj      benchObject
	typ      tftypes.Type
	identTyp tftypes.Type

	config, proposed, updateConfig, updateProposed *tfprotov6.DynamicValue
}

// newBenchRun starts a fake Ironic answering from the recorded exchanges of phase and a
// provider server configured against it, as Terraform starts one for a plan.
func newBenchRun(tb testing.TB, kind, phase string) *benchRun {
	tb.Helper()
	ctx := context.Background()
	r := &benchRun{}
	var exchanges []benchExchange
	if err := readBenchJSON(kind+".json", &r.obj); err != nil {
		tb.Fatal(err)
	}
	if err := readBenchJSON("ironic.json", &exchanges); err != nil {
		tb.Fatal(err)
	}
	r.fake = newFakeIronic(exchanges, phase)
	tb.Cleanup(func() {
		r.fake.Close()
		if missed := r.fake.Missed(); len(missed) > 0 {
			tb.Errorf("requests with no recorded answer (record again: TestBenchRecord): %v", missed)
		}
	})
	r.srv = NewServer("bench")()
	types, _, providerType, err := resourceTypes(ctx, r.srv)
	if err != nil {
		tb.Fatal(err)
	}
	r.typ = types[r.obj.TypeName]
	ids, err := r.srv.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		tb.Fatal(err)
	}
	if s := ids.IdentitySchemas[r.obj.TypeName]; s != nil {
		r.identTyp = s.ValueType()
	}
	for _, x := range []struct {
		raw json.RawMessage
		dst **tfprotov6.DynamicValue
	}{{r.obj.Config, &r.config}, {r.obj.Proposed, &r.proposed}, {r.obj.UpdateConfig, &r.updateConfig}, {r.obj.UpdateProp, &r.updateProposed}} {
		if *x.dst, err = msgpackValue(x.raw, r.typ); err != nil {
			tb.Fatal(err)
		}
	}
	pc, err := providerConfig(providerType, r.fake.URL)
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := r.srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{
		TerraformVersion: "1.16.2", Config: pc,
		ClientCapabilities: &tfprotov6.ConfigureProviderClientCapabilities{DeferralAllowed: true},
	})
	if err == nil {
		err = diagsError(resp.Diagnostics)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// providerConfig is a provider block that sets only the endpoint and no authentication.
func providerConfig(typ tftypes.Type, endpoint string) (*tfprotov6.DynamicValue, error) {
	obj, ok := typ.(tftypes.Object)
	if !ok {
		return nil, fmt.Errorf("provider schema type %s", typ)
	}
	vals := map[string]tftypes.Value{}
	for name, t := range obj.AttributeTypes {
		vals[name] = tftypes.NewValue(t, nil)
	}
	vals["endpoint"] = tftypes.NewValue(tftypes.String, endpoint)
	// Set, so that an environment meant for a real Ironic (the Keystone variant's
	// BAREMETAL_AUTH_STRATEGY) cannot point the benchmarks elsewhere.
	vals["auth_strategy"] = tftypes.NewValue(tftypes.String, ironic.AuthNoAuth)
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	return &dv, err
}

// warmReads reads the object until the batched refresh serves it from its list, as it
// serves all but the first few objects of a large plan.
func (r *benchRun) warmReads(tb testing.TB) {
	tb.Helper()
	for range batchAfter + 2 {
		if _, err := r.plan(context.Background()); err != nil {
			tb.Fatal(err)
		}
	}
}

func (r *benchRun) upgradeRequest() *tfprotov6.UpgradeResourceStateRequest {
	return &tfprotov6.UpgradeResourceStateRequest{TypeName: r.obj.TypeName, Version: r.obj.SchemaVersion,
		RawState: &tfprotov6.RawState{JSON: r.obj.RawState}}
}

func (r *benchRun) validateRequest() *tfprotov6.ValidateResourceConfigRequest {
	return &tfprotov6.ValidateResourceConfigRequest{TypeName: r.obj.TypeName, Config: r.config,
		ClientCapabilities: &tfprotov6.ValidateResourceConfigClientCapabilities{WriteOnlyAttributesAllowed: true}}
}

func (r *benchRun) identity() *tfprotov6.ResourceIdentityData {
	if r.obj.Identity == nil || r.identTyp == nil {
		return nil
	}
	dv, err := msgpackValue(r.obj.Identity, r.identTyp)
	if err != nil {
		panic(err)
	}
	return &tfprotov6.ResourceIdentityData{IdentityData: dv}
}

func (r *benchRun) readRequest(state *tfprotov6.DynamicValue) *tfprotov6.ReadResourceRequest {
	return &tfprotov6.ReadResourceRequest{TypeName: r.obj.TypeName, CurrentState: state, Private: r.obj.ReadPrivate,
		CurrentIdentity:    r.identity(),
		ClientCapabilities: &tfprotov6.ReadResourceClientCapabilities{DeferralAllowed: true}}
}

func (r *benchRun) planRequest(read *tfprotov6.ReadResourceResponse, config, proposed *tfprotov6.DynamicValue) *tfprotov6.PlanResourceChangeRequest {
	return &tfprotov6.PlanResourceChangeRequest{TypeName: r.obj.TypeName, PriorState: read.NewState, PriorPrivate: read.Private,
		PriorIdentity: read.NewIdentity, Config: config, ProposedNewState: proposed,
		ClientCapabilities: &tfprotov6.PlanResourceChangeClientCapabilities{DeferralAllowed: true}}
}

func (r *benchRun) applyRequest(read *tfprotov6.ReadResourceResponse, plan *tfprotov6.PlanResourceChangeResponse) *tfprotov6.ApplyResourceChangeRequest {
	return &tfprotov6.ApplyResourceChangeRequest{TypeName: r.obj.TypeName, PriorState: read.NewState, PlannedState: plan.PlannedState,
		PlannedPrivate: plan.PlannedPrivate, PlannedIdentity: plan.PlannedIdentity, Config: r.updateConfig}
}

// planResult is what one object's plan returned, RPC by RPC.
type planResult struct {
	upgraded *tfprotov6.DynamicValue
	read     *tfprotov6.ReadResourceResponse
	plan     *tfprotov6.PlanResourceChangeResponse
}

// plan makes the RPCs Terraform makes for one object in a plan that changes nothing.
func (r *benchRun) plan(ctx context.Context) (planResult, error) {
	var out planResult
	validate := func() error {
		resp, err := r.srv.ValidateResourceConfig(ctx, r.validateRequest())
		if err != nil {
			return err
		}
		return diagsError(resp.Diagnostics)
	}
	if err := validate(); err != nil {
		return out, fmt.Errorf("ValidateResourceConfig: %w", err)
	}
	up, err := r.srv.UpgradeResourceState(ctx, r.upgradeRequest())
	if err == nil {
		err = diagsError(up.Diagnostics)
	}
	if err != nil {
		return out, fmt.Errorf("UpgradeResourceState: %w", err)
	}
	out.upgraded = up.UpgradedState
	out.read, err = r.srv.ReadResource(ctx, r.readRequest(up.UpgradedState))
	if err == nil {
		err = diagsError(out.read.Diagnostics)
	}
	if err != nil {
		return out, fmt.Errorf("ReadResource: %w", err)
	}
	if err := validate(); err != nil {
		return out, fmt.Errorf("ValidateResourceConfig: %w", err)
	}
	out.plan, err = r.srv.PlanResourceChange(ctx, r.planRequest(out.read, r.config, r.proposed))
	if err == nil {
		err = diagsError(out.plan.Diagnostics)
	}
	if err != nil {
		return out, fmt.Errorf("PlanResourceChange: %w", err)
	}
	return out, nil
}

// The benchmarks' fixtures still make a plan that changes nothing, and an update that
// applies: each RPC sequence once (the batched refresh's GET and list paths both), so a
// schema or a provider change cannot leave the benchmarks measuring an error or a diff.
func TestBenchFixtures(t *testing.T) {
	ctx := context.Background()
	for _, kind := range benchKinds {
		t.Run(kind, func(t *testing.T) {
			r := newBenchRun(t, kind, "plan")
			if got := r.obj.RPCs; fmt.Sprint(got[len(got)-5:]) != "[ValidateResourceConfig UpgradeResourceState ReadResource ValidateResourceConfig PlanResourceChange]" {
				t.Errorf("Terraform's RPCs for the object were %v; BenchmarkProviderPlan makes others", got)
			}
			for i := range batchAfter + 2 { // GETs, then the list
				p, err := r.plan(ctx)
				if err != nil {
					t.Fatalf("plan %d: %s", i, err)
				}
				prior := mustValue(t, p.read.NewState, r.typ)
				if want := mustValue(t, r.mustDV(t, r.obj.Prior), r.typ); !prior.Equal(want) {
					t.Fatalf("plan %d: the read state differs from the recorded prior state (record again: TestBenchRecord):\n%s", i, diffValues(prior, want))
				}
				planned := mustValue(t, p.plan.PlannedState, r.typ)
				if !planned.Equal(prior) {
					t.Fatalf("plan %d is not a no-op:\n%s", i, diffValues(planned, prior))
				}
				if len(p.plan.RequiresReplace) > 0 {
					t.Fatalf("plan %d requires replacement: %v", i, p.plan.RequiresReplace)
				}
			}
			p, err := r.plan(ctx)
			if err != nil {
				t.Fatal(err)
			}
			up, err := r.srv.PlanResourceChange(ctx, r.planRequest(p.read, r.updateConfig, r.updateProposed))
			if err == nil {
				err = diagsError(up.Diagnostics)
			}
			if err != nil {
				t.Fatal(err)
			}
			if planned := mustValue(t, up.PlannedState, r.typ); planned.Equal(mustValue(t, p.read.NewState, r.typ)) || len(up.RequiresReplace) > 0 {
				t.Fatalf("the update plans no change, or a replacement (%v)", up.RequiresReplace)
			}
			a := newBenchRun(t, kind, "apply")
			resp, err := a.srv.ApplyResourceChange(ctx, a.applyRequest(p.read, up))
			if err == nil {
				err = diagsError(resp.Diagnostics)
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, want := mustValue(t, resp.NewState, r.typ), mustValue(t, r.mustDV(t, r.obj.UpdateProp), r.typ); !sameConfigured(got, want, r.obj.UpdateConfig) {
				t.Errorf("the applied state lacks the update:\n%s", diffValues(got, want))
			}
		})
	}
}

func (r *benchRun) mustDV(t *testing.T, raw json.RawMessage) *tfprotov6.DynamicValue {
	t.Helper()
	dv, err := msgpackValue(raw, r.typ)
	if err != nil {
		t.Fatal(err)
	}
	return dv
}

func mustValue(t *testing.T, dv *tfprotov6.DynamicValue, typ tftypes.Type) tftypes.Value {
	t.Helper()
	v, err := dv.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// sameConfigured: got and want agree on every attribute the configuration sets.
func sameConfigured(got, want tftypes.Value, config json.RawMessage) bool {
	var cfg map[string]any
	if json.Unmarshal(config, &cfg) != nil {
		return false
	}
	var g, w map[string]tftypes.Value
	if got.As(&g) != nil || want.As(&w) != nil {
		return false
	}
	for name, v := range cfg {
		if v != nil && !g[name].Equal(w[name]) {
			return false
		}
	}
	return true
}

func diffValues(a, b tftypes.Value) string {
	diffs, err := a.Diff(b)
	if err != nil {
		return err.Error()
	}
	var s string
	for _, d := range diffs {
		s += fmt.Sprintf("  %s: %v != %v\n", d.Path, d.Value1, d.Value2)
	}
	return s
}

// processCPU is the user and system CPU time this process used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
