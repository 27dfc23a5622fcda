package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/image"
	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// ociFeature names oci:// image sources in ironic.Features.
const ociFeature = "oci:// images"

// ociPullSecretKey is the instance_info key Ironic reads an OCI pull secret from: sent
// from a write-only attribute, never recorded (ironic.PullSecretKey).
const ociPullSecretKey = ironic.PullSecretKey

func isOCI(url string) bool { return strings.HasPrefix(url, "oci://") }

// checkOCISource refuses, at plan time, an oci:// image on an Ironic older than 29.0,
// naming the attribute and what it needs. Without a connection it checks nothing.
func (c *clients) checkOCISource(ctx context.Context, at path.Path, url string, diags *diag.Diagnostics) {
	if !isOCI(url) || c == nil {
		return
	}
	ic, d := c.Ironic(ctx)
	if d.HasError() || ic == nil {
		return
	}
	if err := ironic.FeatureNamed(ociFeature).Check(ic.Microversion()); err != nil {
		diags.AddAttributeError(at, "Not supported by this Ironic",
			fmt.Sprintf("%s is an image in an OCI registry: %s.", url, err))
	}
}

// configString reads a string attribute from the configuration: the only place a
// write-only value is.
func configString(ctx context.Context, config tfsdk.Config, name string, diags *diag.Diagnostics) string {
	var v types.String
	diags.Append(config.GetAttribute(ctx, path.Root(name), &v)...)
	return v.ValueString()
}

// ociImageSource is what a baremetal_image of an oci:// reference hands a deployment as
// image_source: the manifest it verified, by digest, so that Ironic deploys exactly
// those bytes even when the tag moves later (a moved tag replaces the image instead).
// Unknown ("") until the image is fetched when the reference is a tag.
func ociImageSource(url string) string {
	ref, err := image.ParseOCI(url)
	if err != nil || ref.Digest == "" {
		return ""
	}
	return ref.String()
}

// deploymentOCIChecks: at plan time, an oci:// image_source needs Ironic 29.0, and the
// pull secret belongs in image_pull_secret_wo, never in instance_info (it would be
// stored in the state).
func (r *deploymentResource) deploymentOCIChecks(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) {
	var info types.Map
	diags.Append(config.GetAttribute(ctx, path.Root("instance_info"), &info)...)
	if info.IsNull() || info.IsUnknown() {
		return
	}
	elems := info.Elements()
	if _, ok := elems[ociPullSecretKey]; ok {
		diags.AddAttributeError(path.Root("instance_info").AtMapKey(ociPullSecretKey), "Pull secret in instance_info",
			"instance_info is stored in the Terraform state: give the registry's pull secret in image_pull_secret_wo "+
				"(write-only), which is sent to Ironic as instance_info."+ociPullSecretKey+" and stored nowhere.")
	}
	if src, ok := elems["image_source"].(types.String); ok && known(src) {
		r.clients.checkOCISource(ctx, path.Root("instance_info").AtMapKey("image_source"), src.ValueString(), diags)
	}
	var secret types.String
	diags.Append(config.GetAttribute(ctx, path.Root("image_pull_secret_wo"), &secret)...)
	if src, ok := elems["image_source"].(types.String); known(secret) && ok && known(src) && !isOCI(src.ValueString()) {
		diags.AddAttributeWarning(path.Root("image_pull_secret_wo"), "Pull secret unused",
			"image_pull_secret_wo is read by Ironic for oci:// images only; this image_source is not one.")
	}
}

// withPullSecret adds the write-only pull secret to what a deploy sends.
func withPullSecret(ctx context.Context, config tfsdk.Config, spec *ironic.DeploySpec, diags *diag.Diagnostics) {
	spec.PullSecret = configString(ctx, config, "image_pull_secret_wo", diags)
}

const (
	pullSecretForImage      = "the image is fetched (and at every plan, to ask the registry whether the tag moved)"
	pullSecretForDeployment = "the node is deployed or rebuilt: Ironic reads it from `instance_info." + ociPullSecretKey + "` (Ironic returns it masked, and the deployment's `instance_info`, read or imported, leaves that key out)"
)

// pullSecretAttribute is an OCI registry's pull secret, write-only.
func pullSecretAttribute(when string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional: true, WriteOnly: true, Sensitive: true,
		MarkdownDescription: "Pull secret of the `oci://` registry, as Ironic takes it: `user:password`, or a bare token " +
			"(used as the password of an empty user name, for the registry's token service). **Write-only** (Terraform " +
			"1.11 or later): never stored in the state or the plan, sent when " + when + ". Anonymous pulls need none.",
	}
}
