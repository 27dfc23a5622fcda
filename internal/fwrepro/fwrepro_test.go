package fwrepro

import (
	"context"
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// attributeCounts are the schema sizes measured: a typical resource has a few dozen
// attributes, a large one (a bare-metal node, a cloud instance) 60 to 100.
var attributeCounts = []int{10, 20, 40, 80}

// BenchmarkPlanResourceChange plans one object of a resource with n string attributes:
// unchanged (what every object of a refresh-only plan costs), and with one attribute
// changed. Besides ns/op and allocs/op it reports cpu-ns/op (the process's CPU time per
// object, garbage collection included, steadier than ns/op on a loaded machine) and
// allocs/attr (allocations per object divided by n): flat if the cost were linear in n,
// growing with n here.
func BenchmarkPlanResourceChange(b *testing.B) {
	for _, n := range attributeCounts {
		for _, change := range []bool{false, true} {
			name := fmt.Sprintf("N=%d/no-change", n)
			if change {
				name = fmt.Sprintf("N=%d/one-changed", n)
			}
			b.Run(name, func(b *testing.B) {
				srv, req := setup(b, n, change)
				ctx := context.Background()
				b.ReportAllocs()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				cpu := processCPU()
				for b.Loop() {
					resp, err := srv.PlanResourceChange(ctx, req)
					if err != nil || hasError(resp.Diagnostics) {
						b.Fatal(err, resp.Diagnostics)
					}
				}
				cpu = processCPU() - cpu
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
				b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N)/float64(n), "allocs/attr")
			})
		}
	}
}

// BenchmarkGetAttributes is the unit of the cost: one call of the resource schema's
// GetAttributes, which every attribute path step makes (a new map of all n attributes).
func BenchmarkGetAttributes(b *testing.B) {
	for _, n := range attributeCounts {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			var resp resource.SchemaResponse
			(&thing{n: n}).Schema(context.Background(), resource.SchemaRequest{}, &resp)
			b.ReportAllocs()
			for b.Loop() {
				if len(resp.Schema.GetAttributes()) != n {
					b.Fatal("wrong attribute count")
				}
			}
		})
	}
}

// TestPlanResourceChange checks the benchmark's requests plan what they should: no
// change, or exactly the changed attribute (the others kept by UseStateForUnknown).
func TestPlanResourceChange(t *testing.T) {
	ctx := context.Background()
	for _, change := range []bool{false, true} {
		srv, req := setup(t, 10, change)
		resp, err := srv.PlanResourceChange(ctx, req)
		if err != nil || hasError(resp.Diagnostics) {
			t.Fatal(err, resp.Diagnostics)
		}
		typ := objectType(10)
		planned, err := resp.PlannedState.Unmarshal(typ)
		if err != nil {
			t.Fatal(err)
		}
		want, err := req.ProposedNewState.Unmarshal(typ)
		if err != nil {
			t.Fatal(err)
		}
		if !planned.Equal(want) {
			diffs, _ := planned.Diff(want)
			t.Errorf("change %v: planned state differs from the proposed new state: %v", change, diffs)
		}
		if prior, _ := req.PriorState.Unmarshal(typ); planned.Equal(prior) == change {
			t.Errorf("change %v: planned state equal to prior state: %v", change, !change)
		}
	}
}

// Attribute i is one of four kinds, as in a typical provider's schema.
const (
	optional         = iota // set in the configuration
	optionalComputed        // Optional+Computed with UseStateForUnknown, set in the configuration
	optionalDefault         // Optional+Computed with UseStateForUnknown, left to the provider
	computed                // Computed with UseStateForUnknown (an id, a timestamp)
	kinds
)

func attrName(i int) string { return fmt.Sprintf("attr_%02d", i) }

func configured(i int) bool { return i%kinds == optional || i%kinds == optionalComputed }

func objectType(n int) tftypes.Object {
	types := map[string]tftypes.Type{}
	for i := range n {
		types[attrName(i)] = tftypes.String
	}
	return tftypes.Object{AttributeTypes: types}
}

// setup returns a server for a resource with n attributes and the request Terraform
// sends to plan one object of it: the prior state with every attribute known, the
// configuration, and the proposed new state (the configuration, with the prior state's
// value for each computed attribute the configuration leaves null).
func setup(tb testing.TB, n int, change bool) (tfprotov6.ProviderServer, *tfprotov6.PlanResourceChangeRequest) {
	tb.Helper()
	srv := providerserver.NewProtocol6(&reproProvider{n: n})()
	typ := objectType(n)
	prior, config, proposed := map[string]tftypes.Value{}, map[string]tftypes.Value{}, map[string]tftypes.Value{}
	for i := range n {
		name := attrName(i)
		prior[name] = tftypes.NewValue(tftypes.String, "value-"+name)
		config[name] = tftypes.NewValue(tftypes.String, nil)
		if configured(i) {
			config[name] = prior[name]
		}
		proposed[name] = prior[name]
	}
	if change {
		changed := tftypes.NewValue(tftypes.String, "changed")
		config[attrName(0)], proposed[attrName(0)] = changed, changed
	}
	dv := func(vals map[string]tftypes.Value) *tfprotov6.DynamicValue {
		v, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
		if err != nil {
			tb.Fatal(err)
		}
		return &v
	}
	return srv, &tfprotov6.PlanResourceChangeRequest{
		TypeName:   "repro_thing",
		PriorState: dv(prior), Config: dv(config), ProposedNewState: dv(proposed),
	}
}

// processCPU is the user and system CPU time this process used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func hasError(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

type reproProvider struct{ n int }

func (p *reproProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "repro"
}
func (p *reproProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}
func (p *reproProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}
func (p *reproProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }
func (p *reproProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return &thing{n: p.n} }}
}

// thing is a resource of n string attributes and no logic of its own.
type thing struct{ n int }

func (r *thing) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "repro_thing"
}

func (r *thing) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{}
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	for i := range r.n {
		switch i % kinds {
		case optional:
			attrs[attrName(i)] = schema.StringAttribute{Optional: true}
		case optionalComputed, optionalDefault:
			attrs[attrName(i)] = schema.StringAttribute{Optional: true, Computed: true, PlanModifiers: keep}
		case computed:
			attrs[attrName(i)] = schema.StringAttribute{Computed: true, PlanModifiers: keep}
		}
	}
	resp.Schema = schema.Schema{Attributes: attrs}
}

func (r *thing) Create(context.Context, resource.CreateRequest, *resource.CreateResponse) {}
func (r *thing) Read(context.Context, resource.ReadRequest, *resource.ReadResponse)       {}
func (r *thing) Update(context.Context, resource.UpdateRequest, *resource.UpdateResponse) {}
func (r *thing) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
