package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// NewServer is the provider's protocol 6 server, for main and the tests' factories: the
// framework's, with its validation of actions' write-only attributes corrected
// (writeOnlyActions).
func NewServer(version string) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) {
		s, err := providerserver.NewProtocol6WithError(New(version)())()
		if err != nil {
			return nil, err
		}
		return writeOnlyActions(s), nil
	}
}

// frameworkServer is everything the framework's protocol 6 server serves.
type frameworkServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ActionServer
	tfprotov6.ListResourceServer
	tfprotov6.StateStoreServer
}

// writeOnlyActions lets a write-only attribute of an action (rescue_password) be set.
// terraform-plugin-framework v1.19.0 declares action attributes write-only to Terraform,
// which then accepts ephemeral values there and keeps them out of plans, but validates
// every action configuration as from a client without write-only attributes, so any
// value set is refused ("WriteOnly Attribute Not Allowed ... only supported in Terraform
// 1.11 and later"). Every client that validates an action's configuration is Terraform
// 1.14 or later, which has them: that one error is dropped, nothing else.
func writeOnlyActions(s tfprotov6.ProviderServer) tfprotov6.ProviderServer {
	if fs, ok := s.(frameworkServer); ok {
		return actionWriteOnlyServer{fs}
	}
	return s
}

type actionWriteOnlyServer struct{ frameworkServer }

func (s actionWriteOnlyServer) ValidateActionConfig(ctx context.Context, req *tfprotov6.ValidateActionConfigRequest) (*tfprotov6.ValidateActionConfigResponse, error) {
	resp, err := s.frameworkServer.ValidateActionConfig(ctx, req)
	if resp == nil {
		return resp, err
	}
	kept := resp.Diagnostics[:0]
	for _, d := range resp.Diagnostics {
		if d != nil && d.Severity == tfprotov6.DiagnosticSeverityError && d.Summary == writeOnlyNotAllowed {
			continue
		}
		kept = append(kept, d)
	}
	resp.Diagnostics = kept
	return resp, err
}

// writeOnlyNotAllowed is the summary of the framework's refusal of a write-only value.
const writeOnlyNotAllowed = "WriteOnly Attribute Not Allowed"
