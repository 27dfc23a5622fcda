package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// A new oci:// image plans sha256 (its layer's digest) and, for a tag, an image_source
// known only once the tag is resolved to a manifest; a reference by digest is that
// manifest already.
func TestImageInstanceInfoPlanOCI(t *testing.T) {
	ctx := context.Background()
	null := tftypes.NewValue(tftypes.String, nil)
	run := func(url string) types.Map {
		p, c := imagePlan(url, null, null)
		resp := &planmodifier.MapResponse{PlanValue: types.MapUnknown(types.StringType)}
		imageInstanceInfoPlan{}.PlanModifyMap(ctx, planmodifier.MapRequest{Plan: p, Config: c, PlanValue: types.MapUnknown(types.StringType),
			StateValue: types.MapNull(types.StringType)}, resp)
		return resp.PlanValue
	}
	want := types.MapValueMust(types.StringType, map[string]attr.Value{"image_source": types.StringUnknown(),
		"image_os_hash_algo": types.StringValue("sha256"), "image_os_hash_value": types.StringUnknown()})
	if got := run("oci://registry.example/disks/os:stable"); !got.Equal(want) {
		t.Errorf("a tag: %s, want %s", got, want)
	}
	pinned := "oci://registry.example/disks/os@sha256:" + strings.Repeat("ab", 32)
	want = types.MapValueMust(types.StringType, map[string]attr.Value{"image_source": types.StringValue(pinned),
		"image_os_hash_algo": types.StringValue("sha256"), "image_os_hash_value": types.StringUnknown()})
	if got := run(pinned); !got.Equal(want) {
		t.Errorf("a digest: %s, want %s", got, want)
	}
}

// Both pull secrets are write-only and sensitive.
func TestPullSecretsAreWriteOnly(t *testing.T) {
	for name, a := range map[string]schema.Attribute{
		"baremetal_image.pull_secret_wo":            schemaAttr(t, &imageResource{}, "pull_secret_wo"),
		"baremetal_deployment.image_pull_secret_wo": schemaAttr(t, &deploymentResource{}, "image_pull_secret_wo"),
	} {
		if !a.IsWriteOnly() || !a.IsSensitive() {
			t.Errorf("%s is not write-only and sensitive", name)
		}
	}
}

func schemaAttr(t *testing.T, r resource.Resource, name string) schema.Attribute {
	t.Helper()
	var resp resource.SchemaResponse
	r.Schema(context.Background(), resource.SchemaRequest{}, &resp)
	a, ok := resp.Schema.Attributes[name]
	if !ok {
		t.Fatalf("no attribute %s", name)
	}
	return a
}

// An import (and a listed deployment) records every instance_info key Ironic holds but
// its own (image_type, ...) and the pull secret, which Ironic masks and image_pull_secret_wo gives: the generated
// configuration then passes the plan's "Pull secret in instance_info" check.
func TestImportedDeploymentWithoutPullSecret(t *testing.T) {
	ctx := context.Background()
	var diags diag.Diagnostics
	n := &nodes.Node{UUID: "n1", ProvisionState: "active", InstanceInfo: map[string]any{
		"image_source": "oci://r/os@sha256:ab", "image_pull_secret": "******", "image_type": "whole-disk",
		"image_request_authorization_secret": "******"}}
	m := importedDeployment(ctx, n, &diags)
	got := stringMap(ctx, m.InstanceInfo, &diags)
	if diags.HasError() || len(got) != 1 || got["image_source"] != "oci://r/os@sha256:ab" {
		t.Fatalf("imported instance_info %v %v", got, diags)
	}
	m.fromNode(ctx, n, &diags)
	if got := stringMap(ctx, m.InstanceInfo, &diags); len(got) != 1 || got[ociPullSecretKey] != "" {
		t.Fatalf("read back %v", got)
	}
}
