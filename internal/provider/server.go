package provider

import (
	"context"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// NewServer is the provider's protocol 6 server: the framework's, with one correction.
// terraform-plugin-framework v1.19.0 validates every action configuration as if the
// client could not take write-only attributes (fwserver's ValidateActionConfig sets
// WriteOnlyAttributesAllowed to false for all but resources), so an action with a
// write-only input, such as baremetal_node_rescue's rescue_password, is refused by every
// Terraform, though every Terraform with actions (1.14 and later) takes write-only
// values (1.11 and later). The correction drops exactly that diagnostic from the
// validation of action configurations, nothing else. And two shortcuts past the
// framework's schema walks: a state already at its resource's schema version is passed
// through UpgradeResourceState (currentStates), and the plan of an object nothing changes
// is the prior state (unchangedPlan).
func NewServer(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		p := New(version)()
		return actionWriteOnlyServer{providerserver.NewProtocol6(p)().(frameworkServer), &currentStates{provider: p}}
	}
}

// frameworkServer is what the framework's server implements and Terraform asks for.
type frameworkServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ActionServer
	tfprotov6.ListResourceServer
}

type actionWriteOnlyServer struct {
	frameworkServer
	states *currentStates
}

// writeOnlyRefused is the summary of the framework's diagnostic for a write-only value
// sent by a client it believes cannot take them.
const writeOnlyRefused = "WriteOnly Attribute Not Allowed"

func (s actionWriteOnlyServer) ValidateActionConfig(ctx context.Context, req *tfprotov6.ValidateActionConfigRequest) (*tfprotov6.ValidateActionConfigResponse, error) {
	resp, err := s.frameworkServer.ValidateActionConfig(ctx, req)
	if resp != nil {
		kept := resp.Diagnostics[:0]
		for _, d := range resp.Diagnostics {
			if d.Summary != writeOnlyRefused {
				kept = append(kept, d)
			}
		}
		resp.Diagnostics = kept
	}
	return resp, err
}

// UpgradeResourceState passes a state already at its resource's schema version through
// as the framework does (its JSON read with the schema's type, attributes the schema
// lacks ignored), without the framework's conversion back, which walks the schema for
// every null value in the state to turn null list and set blocks into empty ones: our
// resources have no blocks. Terraform asks this of every resource in every plan; it was
// two thirds of a node's upgrade. Anything else (an older version, a state it cannot
// read: the framework words the error) goes to the framework.
func (s actionWriteOnlyServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	if req != nil && req.RawState != nil && req.RawState.JSON != nil {
		if typ, ok := s.states.current(ctx, req.TypeName, req.Version); ok {
			v, ok := stateFromJSON(req.RawState.JSON, typ)
			var err error
			if !ok {
				v, err = req.RawState.UnmarshalWithOpts(typ, tfprotov6.UnmarshalOpts{
					ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true},
				})
			}
			if err == nil {
				if dv, err := tfprotov6.NewDynamicValue(typ, v); err == nil {
					return &tfprotov6.UpgradeResourceStateResponse{UpgradedState: &dv}, nil
				}
			}
		}
	}
	return s.frameworkServer.UpgradeResourceState(ctx, req)
}

// PlanResourceChange answers the plan of an object nothing changes without the
// framework (unchangedPlan); every other plan is the framework's.
func (s actionWriteOnlyServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	if req != nil {
		if resp := s.states.unchangedPlan(ctx, req.TypeName).plan(ctx, req); resp != nil {
			return resp, nil
		}
	}
	return s.frameworkServer.PlanResourceChange(ctx, req)
}

// unchangedPlan is the resource's no-change shortcut, nil when it has none.
func (c *currentStates) unchangedPlan(ctx context.Context, typeName string) *unchangedPlan {
	if c == nil {
		return nil
	}
	c.once.Do(func() { c.types = blocklessResourceTypes(ctx, c.provider) })
	return c.types[typeName].unchanged
}

// ValidateResourceConfig answers the second validation of one configuration with the
// first's answer. Terraform validates each object's configuration twice in a plan (in
// its validate walk, then before planning), the same bytes when the configuration refers
// to nothing unknown, and the framework walks the schema for every attribute each time.
// Only for resources whose validation depends on the configuration alone (the
// validators of their schema and a ValidateConfig that reads nothing else); an answer is
// reused once, then forgotten.
func (s actionWriteOnlyServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	key, ok := s.states.validationKey(ctx, req)
	if ok {
		if resp := s.states.takeValidation(key); resp != nil {
			return resp, nil
		}
	}
	resp, err := s.frameworkServer.ValidateResourceConfig(ctx, req)
	if ok && err == nil && resp != nil {
		s.states.keepValidation(key, resp)
	}
	return resp, err
}

// validatesConfigAlone is a resource whose configuration's validation depends on that
// configuration alone: nothing read from Ironic, the environment or the clock.
type validatesConfigAlone interface{ validatesConfigAlone() }

func isPureValidation(r resource.Resource) bool {
	_, ok := r.(validatesConfigAlone)
	return ok
}

func (r *nodeResource) validatesConfigAlone() {}
func (r *portResource) validatesConfigAlone() {}

// maxValidations bounds the validations kept for a second ask: those never asked again
// (a configuration that changed between the two) are dropped with the rest beyond it.
const maxValidations = 4096

func (c *currentStates) validationKey(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (string, bool) {
	if c == nil || req == nil || req.Config == nil || req.Config.JSON != nil || len(req.Config.MsgPack) == 0 {
		return "", false
	}
	c.once.Do(func() { c.types = blocklessResourceTypes(ctx, c.provider) })
	if !c.types[req.TypeName].pure {
		return "", false
	}
	wo := "0"
	if req.ClientCapabilities != nil && req.ClientCapabilities.WriteOnlyAttributesAllowed {
		wo = "1"
	}
	return req.TypeName + "\x00" + wo + string(req.Config.MsgPack), true
}

func (c *currentStates) takeValidation(key string) *tfprotov6.ValidateResourceConfigResponse {
	c.validMu.Lock()
	defer c.validMu.Unlock()
	resp := c.validations[key]
	delete(c.validations, key)
	return resp
}

func (c *currentStates) keepValidation(key string, resp *tfprotov6.ValidateResourceConfigResponse) {
	c.validMu.Lock()
	defer c.validMu.Unlock()
	if c.validations == nil || len(c.validations) >= maxValidations {
		c.validations = map[string]*tfprotov6.ValidateResourceConfigResponse{}
	}
	c.validations[key] = resp
}

// currentStates knows, per resource type, its schema's version and type, for those
// whose schema has no blocks (for which the framework's pass-through of a current
// state is the state read with the schema's type).
type currentStates struct {
	provider provider.Provider
	once     sync.Once
	types    map[string]currentState

	validMu     sync.Mutex
	validations map[string]*tfprotov6.ValidateResourceConfigResponse // see ValidateResourceConfig
}

type currentState struct {
	version   int64
	typ       tftypes.Type
	unchanged *unchangedPlan // nil: every plan is the framework's
	pure      bool           // its validation depends on the configuration alone
}

// current is the type of a resource's state at version, ok when version is its
// schema's and the schema has no blocks.
func (c *currentStates) current(ctx context.Context, typeName string, version int64) (tftypes.Type, bool) {
	if c == nil {
		return nil, false
	}
	c.once.Do(func() { c.types = blocklessResourceTypes(ctx, c.provider) })
	s, ok := c.types[typeName]
	return s.typ, ok && s.version == version
}

// blocklessResourceTypes are the provider's resources whose schema has no blocks: their
// schema's version and type, by resource type name.
func blocklessResourceTypes(ctx context.Context, p provider.Provider) map[string]currentState {
	var meta provider.MetadataResponse
	p.Metadata(ctx, provider.MetadataRequest{}, &meta)
	out := map[string]currentState{}
	for _, newResource := range p.Resources(ctx) {
		r := newResource()
		var md resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: meta.TypeName}, &md)
		var sr resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &sr)
		if sr.Diagnostics.HasError() || len(sr.Schema.Blocks) > 0 {
			continue
		}
		out[md.TypeName] = currentState{version: sr.Schema.Version, typ: sr.Schema.Type().TerraformType(ctx),
			unchanged: newUnchangedPlan(ctx, r, sr.Schema), pure: isPureValidation(r)}
	}
	return out
}
