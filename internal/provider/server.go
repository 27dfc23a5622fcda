package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// NewServer is the provider's protocol 6 server: the framework's, with one correction.
// terraform-plugin-framework v1.19.0 validates every action configuration as if the
// client could not take write-only attributes (fwserver's ValidateActionConfig sets
// WriteOnlyAttributesAllowed to false for all but resources), so an action with a
// write-only input, such as baremetal_node_rescue's rescue_password, is refused by every
// Terraform, though every Terraform with actions (1.14 and later) takes write-only
// values (1.11 and later). The correction drops exactly that diagnostic from the
// validation of action configurations, nothing else.
func NewServer(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		return actionWriteOnlyServer{providerserver.NewProtocol6(New(version)())().(frameworkServer)}
	}
}

// frameworkServer is what the framework's server implements and Terraform asks for.
type frameworkServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ActionServer
	tfprotov6.ListResourceServer
}

type actionWriteOnlyServer struct{ frameworkServer }

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
