package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/image"
	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/validators"
)

var (
	_ resource.Resource                   = (*imageResource)(nil)
	_ resource.ResourceWithIdentity       = (*imageResource)(nil)
	_ resource.ResourceWithConfigure      = (*imageResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*imageResource)(nil)
	_ resource.ResourceWithValidateConfig = (*imageResource)(nil)
	_ resource.ResourceWithUpgradeState   = (*imageResource)(nil)
)

const defaultImageTimeout = 60 * time.Minute

type imageResource struct {
	clients *clients
}

type imageResourceModel struct {
	URL               types.String   `tfsdk:"url"`
	ChecksumAlgorithm types.String   `tfsdk:"checksum_algorithm"`
	ExpectedChecksum  types.String   `tfsdk:"expected_checksum"`
	ID                types.String   `tfsdk:"id"`
	Checksum          types.String   `tfsdk:"checksum"`
	Size              types.Int64    `tfsdk:"size"`
	LastModified      types.String   `tfsdk:"last_modified"`
	ETag              types.String   `tfsdk:"etag"`
	InstanceInfo      types.Map      `tfsdk:"instance_info"`
	ManifestDigest    types.String   `tfsdk:"manifest_digest"`
	PullSecretWO      types.String   `tfsdk:"pull_secret_wo"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
}

// NewImageResource is the baremetal_image resource.
func NewImageResource() resource.Resource { return &imageResource{} }

func (r *imageResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_image"
}

func (r *imageResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.clients = configureClients(req.ProviderData, &resp.Diagnostics)
}

// IdentitySchema: the image's URL. Nothing in Ironic holds an image: the URL is what
// names it, what the bytes are fetched from and asked about at every plan, and it
// cannot change without replacing the image (id, a cache key derived from it, names a
// file on one machine only, and checksum says what the bytes were, not where).
func (r *imageResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"url": identityschema.StringAttribute{RequiredForImport: true, Description: "Where the image is: its `url`."},
	}}
}

func (r *imageResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	computed := func(doc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: doc,
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
	}
	resp.Schema = schema.Schema{
		Version: 3, // 1 dropped local_path; 2 added instance_info; 3 added manifest_digest and pull_secret_wo
		MarkdownDescription: "An instance or deploy image, fetched and checksummed the way Ironic does it: the bytes are " +
			"downloaded when the image is created (streamed, hashed in the same pass, verified), and every plan asks the " +
			"source whether it changed. For http(s) that is the `Last-Modified` header (a server that sends none makes every " +
			"plan replace the image, as Ironic fetches such images again every time), plus the ETag and size; for `file://` " +
			"it is the file's modification time and size; for `oci://` the manifest the reference resolves to (a moved " +
			"tag). A changed source shows as a forced replacement, with a warning saying why.\n\n" +
			"An `oci://registry/repository:tag` (or `@sha256:...`) image needs Ironic 29.0 (2025.1) or newer. It is " +
			"resolved as Ironic resolves it (an image index to the manifest with a single disk-image layer, a raw " +
			"disk first; from a multi-architecture index, as for a node without `cpu_arch`: name the manifest by digest " +
			"to deploy another), its layer downloaded and verified against its digest: `checksum` is the layer's sha256, " +
			"the checksum Ironic and its agent verify. `instance_info` names the manifest by digest, so Ironic deploys " +
			"exactly what was verified. The image TLS settings (`image_ca_file`, `image_insecure`) apply to registries; " +
			"plain HTTP is used only for a registry on loopback or with `image_insecure`.\n\n" +
			"The state holds only what the source said and what the bytes hashed to, nothing about the machine that ran " +
			"the apply: a plan from any machine (a CI runner, a colleague's laptop, an empty cache) sends one probe per " +
			"image and downloads nothing. The verified copy kept in `image_cache_dir` only saves a download when an " +
			"image of the same URL is created again; it is shared by every configuration on the machine, never deleted " +
			"on destroy, and evicted by age and size (`image_cache_max_age`, `image_cache_max_gib`).\n\n" +
			"A `file://` image is read on the machine running Terraform, while Ironic's conductors read the same path on " +
			"theirs: it must be on a file system every conductor sees, with the same content.",
		Attributes: map[string]schema.Attribute{
			"url": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Where the image is: `http://`, `https://`, `file:///absolute/path`, or " +
					"`oci://registry/repository:tag` (or `@sha256:<digest>`). Changing it replaces the image.",
				Validators:    []validator.String{validators.ImageURL()},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"checksum_algorithm": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Algorithm of `checksum`: one of " + quotedList(image.Algorithms()) + ". Default: the one " +
					"`expected_checksum` names (by `algo:` prefix or digest length), else `" + image.DefaultAlgorithm + "`, Ironic's default.",
				Validators: []validator.String{stringvalidator.OneOf(image.Algorithms()...)},
				PlanModifiers: []planmodifier.String{
					algorithmFromExpectedChecksum(),
					stringplanmodifier.RequiresReplace(),
				},
			},
			"expected_checksum": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "What the image must hash to, or the apply fails and nothing is kept: a hex digest " +
					"(case-insensitive; 32 characters mean md5, 64 sha256, 128 sha512), `algo:hex` (for example `sha256:9f86...`), " +
					"or the URL of a checksums file (one bare hash, `sha256sum` lines `hex  name` or `hex *name`, or BSD " +
					"`SHA256 (name) = hex`), where the entry whose name equals the image URL's last path segment is used.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"id":            computed("Cache key of the image, derived from its URL."),
			"checksum":      computed("Hex digest of the image in `checksum_algorithm`: what Ironic's `image_checksum` (with `image_os_hash_algo`) wants."),
			"last_modified": computed("When the source last changed (RFC 3339): the server's `Last-Modified`, or the file's modification time. Null when the server did not say."),
			"etag":          computed("The server's ETag, null when it sent none."),
			"instance_info": schema.MapAttribute{
				ElementType: types.StringType,
				Computed:    true,
				MarkdownDescription: "What a `baremetal_deployment` needs to deploy this image, in the keys Ironic's `direct` " +
					"deploy accepts whatever the algorithm: `image_source` (the URL; for `oci://` the manifest fetched, by digest) " +
					"with `image_checksum` for md5, or with " +
					"`image_os_hash_algo` and `image_os_hash_value` for any other. Use it as the deployment's " +
					"`instance_info`, or `merge()` keys of your own into it. Known at plan time except the digest of an " +
					"image not fetched yet. A live ISO, kernel or ramdisk for a `ramdisk` deploy is given by `url` instead " +
					"(`instance_info = { boot_iso = baremetal_image.live.url }`): Ironic verifies no checksum there, this " +
					"resource does.",
				PlanModifiers: []planmodifier.Map{imageInstanceInfoPlan{}},
			},
			"manifest_digest": computed("`oci://` only: the digest of the manifest (or image index) the reference " +
				"resolved to when the image was fetched. A tag that resolves to another one later replaces the image. " +
				"Null for other sources."),
			"pull_secret_wo": pullSecretAttribute(pullSecretForImage),
			"size": schema.Int64Attribute{
				Computed: true, MarkdownDescription: "Size of the image in bytes.",
				PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"timeouts": timeoutsAttribute(ctx, timeouts.Opts{Create: true}),
		},
	}
}

// ValidateConfig checks expected_checksum against the algorithm at plan time.
func (r *imageResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m imageResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if known(m.URL) && isOCI(m.URL.ValueString()) && known(m.ChecksumAlgorithm) && !strings.EqualFold(m.ChecksumAlgorithm.ValueString(), "sha256") {
		resp.Diagnostics.AddAttributeError(path.Root("checksum_algorithm"), "Invalid checksum_algorithm",
			"An oci:// image's checksum is the sha256 digest of its disk-image layer, the one Ironic verifies: leave "+
				"checksum_algorithm unset, or set \"sha256\".")
	}
	if resp.Diagnostics.HasError() || m.ExpectedChecksum.IsNull() || m.ExpectedChecksum.IsUnknown() || m.ChecksumAlgorithm.IsUnknown() {
		return
	}
	if _, err := image.ParseExpected(m.ExpectedChecksum.ValueString(), m.ChecksumAlgorithm.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("expected_checksum"), "Invalid expected_checksum", err.Error()+".")
	}
}

// ModifyPlan asks the source whether it changed since the image was fetched, and if so
// plans a replacement with the computed values unknown.
func (r *imageResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	if u := configString(ctx, req.Config, "url", &resp.Diagnostics); isOCI(u) {
		bctx, cancel := r.clients.bounded(ctx)
		r.clients.checkOCISource(bctx, path.Root("url"), u, &resp.Diagnostics)
		cancel()
	}
	if req.State.Raw.IsNull() || resp.Diagnostics.HasError() {
		return // create
	}
	var plan, state imageResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || len(resp.RequiresReplace) > 0 || !plan.URL.Equal(state.URL) {
		return // already replaced for another reason
	}
	ctx, cancel := r.clients.bounded(ctx)
	defer cancel()
	engine, diags := r.clients.Images()
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	url := state.URL.ValueString()
	kind, _, err := image.ParseSource(url)
	if err != nil {
		return
	}
	var current image.Info
	if kind == image.KindOCI {
		current, err = engine.ProbeOCI(ctx, url, image.OCIOptions{PullSecret: configString(ctx, req.Config, "pull_secret_wo", &resp.Diagnostics)})
	} else {
		current, err = engine.Probe(ctx, url)
	}
	if err != nil {
		resp.Diagnostics.AddAttributeWarning(path.Root("url"), "Unable to check whether the image changed",
			fmt.Sprintf("%s: %s. The image is kept as it is in this plan.", image.Redact(url), err))
		return
	}
	changed, reason := image.Changed(kind, recordedInfo(state), current)
	if !changed {
		return
	}
	plan.ID = types.StringUnknown()
	plan.Checksum = types.StringUnknown()
	plan.Size = types.Int64Unknown()
	plan.LastModified = types.StringUnknown()
	plan.ETag = types.StringUnknown()
	plan.ManifestDigest = types.StringUnknown()
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
	signal := path.Root("last_modified")
	if kind == image.KindOCI {
		signal = path.Root("manifest_digest") // where a registry's answer stands for Last-Modified
	}
	resp.RequiresReplace = append(resp.RequiresReplace, signal)
	resp.Diagnostics.AddAttributeWarning(path.Root("url"), "Image source changed: the image must be replaced",
		fmt.Sprintf("%s: %s.", image.Redact(url), reason))
}

// recordedInfo is what the state says the source looked like at the last fetch.
func recordedInfo(m imageResourceModel) image.Info {
	info := image.Info{ETag: m.ETag.ValueString(), Size: -1, Digest: m.ManifestDigest.ValueString()}
	if !m.Size.IsNull() && !m.Size.IsUnknown() {
		info.Size = m.Size.ValueInt64()
	}
	if t, err := time.Parse(time.RFC3339Nano, m.LastModified.ValueString()); err == nil {
		info.LastModified = t.UTC()
	}
	return info
}

func (r *imageResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan imageResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, plan.Timeouts.Create, defaultImageTimeout, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()
	engine, diags := r.clients.Images()
	if resp.Diagnostics.Append(diags...); diags.HasError() {
		return
	}
	url := plan.URL.ValueString()
	expected, err := image.ParseExpected(plan.ExpectedChecksum.ValueString(), plan.ChecksumAlgorithm.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("expected_checksum"), "Invalid expected_checksum", err.Error())
		return
	}
	// Checked at plan time too, unless the url was not known then.
	if r.clients.checkOCISource(ctx, path.Root("url"), url, &resp.Diagnostics); resp.Diagnostics.HasError() {
		return
	}
	secret := configString(ctx, req.Config, "pull_secret_wo", &resp.Diagnostics)
	res, err := engine.Fetch(ctx, image.Request{URL: url, Expected: expected, PullSecret: secret})
	if err != nil {
		resp.Diagnostics.AddError("Unable to fetch image", fmt.Sprintf("%s: %s", image.Redact(url), err))
		return
	}
	plan.ID = types.StringValue(image.Key(url))
	plan.ChecksumAlgorithm = types.StringValue(res.Algorithm)
	plan.Checksum = types.StringValue(res.Checksum)
	plan.Size = types.Int64Value(res.Info.Size)
	plan.ETag = stringOrNull(res.Info.ETag)
	plan.LastModified = types.StringNull()
	if res.Info.HasLastModified() {
		plan.LastModified = types.StringValue(res.Info.LastModified.Format(time.RFC3339Nano))
	}
	source := url
	if res.OCI != nil {
		source = res.OCI.Pinned()
	}
	plan.ManifestDigest = stringOrNull(res.Info.Digest)
	plan.InstanceInfo = mapValue(ctx, ironic.ImageInstanceInfo(source, res.Algorithm, res.Checksum), nil, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	setIdentity(ctx, resp.Identity, "url", url, &resp.Diagnostics)
}

// Read keeps the state as it is, and records its identity (a state written before
// identity existed gains it). Whether the source changed is asked in ModifyPlan, once
// per plan; whether this machine holds a copy is no concern of the plan (a copy only
// saves a download), so nothing local can drop or change the image.
func (r *imageResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var url types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("url"), &url)...)
	setIdentity(ctx, resp.Identity, "url", url.ValueString(), &resp.Diagnostics)
}

func (r *imageResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	// Every input forces replacement; only timeouts can change in place.
	var plan imageResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	setIdentity(ctx, resp.Identity, "url", plan.URL.ValueString(), &resp.Diagnostics)
}

// Delete forgets the image. The cached copy stays: another resource, workspace or
// configuration may use the same URL, and eviction removes it by age and size.
func (r *imageResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

// algorithmFromExpectedChecksum plans checksum_algorithm when it is not configured: the
// algorithm expected_checksum implies, else md5. It is known at plan time, so changing
// expected_checksum to another algorithm shows the replacement it causes.
func algorithmFromExpectedChecksum() planmodifier.String { return algorithmDefault{} }

type algorithmDefault struct{}

func (algorithmDefault) Description(context.Context) string {
	return "Defaults to the algorithm expected_checksum names, else " + image.DefaultAlgorithm + "."
}
func (m algorithmDefault) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (algorithmDefault) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !req.ConfigValue.IsNull() {
		return
	}
	if algo, ok := plannedAlgorithm(ctx, req.Config, &resp.Diagnostics); ok {
		resp.PlanValue = types.StringValue(algo)
	}
}

// plannedAlgorithm is the checksum_algorithm a configuration means: the one it names,
// else the one expected_checksum implies, else sha256 for an oci:// url (its layer's
// digest), else md5. Not known while expected_checksum is not, nor while the url is not
// and nothing else says.
func plannedAlgorithm(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) (string, bool) {
	var algo, expected types.String
	diags.Append(config.GetAttribute(ctx, path.Root("checksum_algorithm"), &algo)...)
	diags.Append(config.GetAttribute(ctx, path.Root("expected_checksum"), &expected)...)
	switch {
	case algo.IsUnknown():
		return "", false
	case !algo.IsNull():
		return strings.ToLower(algo.ValueString()), true
	case expected.IsUnknown():
		return "", false // stays unknown until expected_checksum is known
	}
	var url types.String
	diags.Append(config.GetAttribute(ctx, path.Root("url"), &url)...)
	switch {
	case url.IsUnknown() && expected.IsNull():
		return "", false // an oci:// url would mean sha256
	case known(url) && isOCI(url.ValueString()):
		return "sha256", true // the layer's digest
	}
	if exp, err := image.ParseExpected(expected.ValueString(), ""); err == nil {
		return strings.ToLower(exp.Algorithm), true
	}
	return image.DefaultAlgorithm, true
}

// imageInstanceInfoPlan keeps the recorded instance_info while the image stays, and
// plans a new image's (on create and on replacement, which Terraform plans as a create)
// with its keys and URL known and only the digest unknown: a deployment's plan then
// shows which keys and which image it will deploy.
type imageInstanceInfoPlan struct{}

func (imageInstanceInfoPlan) Description(context.Context) string {
	return "The recorded value while the image stays; a new image's keys and URL, its digest known after apply."
}
func (m imageInstanceInfoPlan) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (imageInstanceInfoPlan) PlanModifyMap(ctx context.Context, req planmodifier.MapRequest, resp *planmodifier.MapResponse) {
	if !req.PlanValue.IsUnknown() || req.Plan.Raw.IsNull() {
		return
	}
	if !req.StateValue.IsNull() {
		resp.PlanValue = req.StateValue
		return
	}
	var url types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("url"), &url)...)
	algo, ok := plannedAlgorithm(ctx, req.Config, &resp.Diagnostics)
	if !known(url) || !ok {
		return
	}
	elems := map[string]attr.Value{}
	source := url.ValueString()
	if isOCI(source) {
		source = ociImageSource(source) // a tag's manifest is known after the fetch
	}
	for k, v := range ironic.ImageInstanceInfo(source, algo, "") {
		elems[k] = types.StringValue(v)
		if v == "" {
			elems[k] = types.StringUnknown()
		}
	}
	resp.PlanValue = types.MapValueMust(types.StringType, elems)
}
