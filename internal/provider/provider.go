// Package provider translates between Terraform and the engines in internal/ironic and
// internal/image: schemas, plan and state values, diagnostics. It makes no gophercloud
// call (gophercloud's node types pass through it only as values the engine takes and
// returns) and holds no Ironic state rule: where a plan, a read or a message depends on
// a node's provision state, it asks a named rule of internal/ironic (IsDeployed,
// KeepsProvisionState, TargetAwaitsTeardown, ReadDeployment, DecideHardware,
// ForecastRebuild, ...) and words the answer in Terraform terms.
package provider

import (
	"context"
	"fmt"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/metalform/terraform-provider-baremetal/internal/httpclient"
	"github.com/metalform/terraform-provider-baremetal/internal/image"
	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/validators"
)

var (
	_ provider.Provider                   = (*baremetalProvider)(nil)
	_ provider.ProviderWithValidateConfig = (*baremetalProvider)(nil)
	_ provider.ProviderWithListResources  = (*baremetalProvider)(nil)
)

// Environment variables behind each provider setting.
const (
	envEndpoint     = "BAREMETAL_ENDPOINT"
	envAuthStrategy = "BAREMETAL_AUTH_STRATEGY"
	envUsername     = "BAREMETAL_USERNAME"
	envPassword     = "BAREMETAL_PASSWORD"
	envCloud        = "OS_CLOUD"
	envMicroversion = "BAREMETAL_MICROVERSION"
	envCAFile       = "BAREMETAL_CA_FILE"
	envCertFile     = "BAREMETAL_CERT_FILE"
	envKeyFile      = "BAREMETAL_KEY_FILE"
	envInsecure     = "BAREMETAL_INSECURE"
	envAPITimeout   = "BAREMETAL_API_TIMEOUT"
	envMaxRetries   = "BAREMETAL_MAX_RETRIES"
	envImageCache   = "BAREMETAL_IMAGE_CACHE_DIR"
	envReqTimeout   = "BAREMETAL_REQUEST_TIMEOUT"
	envCacheMaxGiB  = "BAREMETAL_IMAGE_CACHE_MAX_GIB"
	envCacheMaxAge  = "BAREMETAL_IMAGE_CACHE_MAX_AGE"
	envImageCA      = "BAREMETAL_IMAGE_CA_FILE"
	envImageInsec   = "BAREMETAL_IMAGE_INSECURE"
)

type baremetalProvider struct {
	version string
}

type baremetalProviderModel struct {
	Endpoint     types.String `tfsdk:"endpoint"`
	AuthStrategy types.String `tfsdk:"auth_strategy"`
	Username     types.String `tfsdk:"username"`
	Password     types.String `tfsdk:"password"`
	Cloud        types.String `tfsdk:"cloud"`
	Microversion types.String `tfsdk:"microversion"`
	CAFile       types.String `tfsdk:"ca_file"`
	CertFile     types.String `tfsdk:"cert_file"`
	KeyFile      types.String `tfsdk:"key_file"`
	Insecure     types.Bool   `tfsdk:"insecure"`
	APITimeout   types.String `tfsdk:"api_timeout"`
	MaxRetries   types.Int64  `tfsdk:"max_retries"`
	ImageCache   types.String `tfsdk:"image_cache_dir"`
	ReqTimeout   types.String `tfsdk:"request_timeout"`
	CacheMaxGiB  types.Int64  `tfsdk:"image_cache_max_gib"`
	CacheMaxAge  types.String `tfsdk:"image_cache_max_age"`
	ImageCAFile  types.String `tfsdk:"image_ca_file"`
	ImageInsec   types.Bool   `tfsdk:"image_insecure"`
}

// New returns the provider factory for providerserver.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &baremetalProvider{version: version} }
}

func (p *baremetalProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "baremetal"
	resp.Version = p.version
}

func (p *baremetalProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Enrolls and provisions bare-metal machines in OpenStack Ironic. Every setting can also " +
			"come from the environment variable named in its description; the configuration wins.",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Ironic API URL, for example `http://127.0.0.1:6385` (a trailing `/v1` is accepted). " +
					"Required for `noauth` and `http_basic`; with `keystone` it defaults to the catalog's baremetal endpoint. " +
					"Env: `" + envEndpoint + "`.",
				Validators: []validator.String{validators.HTTPURL()},
			},
			"auth_strategy": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How to authenticate: " + quotedList(ironic.AuthStrategies) + ". Default `noauth`. " +
					"Env: `" + envAuthStrategy + "`.",
				Validators: []validator.String{stringvalidator.OneOf(ironic.AuthStrategies...)},
			},
			"username": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "User name for `http_basic`. Env: `" + envUsername + "`.",
			},
			"password": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "Password for `http_basic`. Env: `" + envPassword + "`.",
			},
			"cloud": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "For `keystone`: the entry of `clouds.yaml` to use (searched where the OpenStack " +
					"client looks: `./clouds.yaml`, `~/.config/openstack/`, `/etc/openstack/`, or `OS_CLIENT_CONFIG_FILE`). " +
					"Env: `" + envCloud + "`.",
			},
			"microversion": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Ironic API microversion to use, such as `1.78`. By default the highest version " +
					"supported by both the server and this provider (" + ironic.MinMicroversion + " to " + ironic.MaxMicroversion +
					") is negotiated. Env: `" + envMicroversion + "`.",
				Validators: []validator.String{validators.Microversion()},
			},
			"ca_file": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "PEM file of CA certificates to trust, in addition to the system's. Env: `" + envCAFile + "`.",
			},
			"cert_file": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "PEM client certificate for mutual TLS; goes with `key_file`. Env: `" + envCertFile + "`.",
			},
			"key_file": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "PEM private key of `cert_file`. Env: `" + envKeyFile + "`.",
			},
			"insecure": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Skip TLS certificate verification of the Ironic (and Keystone) API. Default `false`; " +
					"for test set-ups only. It does not apply to image downloads, whose checksums Ironic trusts: see " +
					"`image_insecure`. Env: `" + envInsecure + "`.",
			},
			"image_ca_file": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "PEM file of CA certificates `baremetal_image` trusts for https:// images and checksums " +
					"files, in addition to the system's. Default: `ca_file`. Env: `" + envImageCA + "`.",
			},
			"image_insecure": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Skip TLS certificate verification of image and checksums-file downloads. Default " +
					"`false`. Separate from `insecure` on purpose: a checksum fetched over an unverified connection proves " +
					"nothing, and Ironic trusts it. Env: `" + envImageInsec + "`.",
			},
			"api_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How long to wait for the Ironic API to answer when the provider first connects, " +
					"as a Go duration (`90s`, `5m`). Useful when Ironic is started in the same run. Default `0s`: one attempt. " +
					"Env: `" + envAPITimeout + "`.",
				Validators: []validator.String{validators.Duration()},
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How often to retry an API request that is safe to repeat when Ironic, or a proxy in "+
					"front of it, answers 409 (node locked by a conductor), 502, 503 or 504, or the connection fails, with "+
					"exponential backoff from 100 ms to 5 s (a request that timed out is sent once more at most). Default %d. Env: `%s`.",
					ironic.DefaultRetryPolicy(nil).MaxRetries, envMaxRetries),
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"request_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How long one request may take, answer and body included: every Ironic "+
					"and Keystone API call, every image probe and every checksums-file download (image downloads stop "+
					"instead when no byte arrives for a minute). A request that times out is sent once more at most. "+
					"Reads, imports, plan checks and data sources give up after `api_timeout` plus four times this, so "+
					"an endpoint that accepts connections and never answers fails a plan within two minutes with the "+
					"defaults, naming the endpoint and this setting. Default `%s`. Env: `%s`.",
					ironic.DefaultRequestTimeout, envReqTimeout),
				Validators: []validator.String{validators.PositiveDuration()},
			},
			"image_cache_dir": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Directory where `baremetal_image` keeps verified copies of http(s) images, so that " +
					"creating an image of the same URL again downloads nothing while the source is unchanged. Only " +
					"applies that create an image use it; plans never do, and nothing in the state depends on it. Terraform " +
					"runs, workspaces and configurations may share it safely. Default: `terraform-provider-baremetal/images` " +
					"under the user's cache directory (`$XDG_CACHE_HOME` or `~/.cache` on Linux). Env: `" + envImageCache + "`.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"image_cache_max_gib": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Size limit of `image_cache_dir` in GiB: after each fetch the least "+
					"recently used copies are evicted until the cache fits (an image larger than the limit is not kept). "+
					"A copy another Terraform run is fetching is never evicted. `0`: no limit. Default `%d`, like "+
					"Ironic's `image_cache_size`. Env: `%s`.", image.DefaultMaxSize>>30, envCacheMaxGiB),
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"image_cache_max_age": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Copies in `image_cache_dir` unused for longer than this are evicted, "+
					"as a Go duration. `0s`: no limit. Default `%s` (7 days, like Ironic's `master_image_ttl`). Env: `%s`.",
					image.DefaultMaxAge, envCacheMaxAge),
				Validators: []validator.String{validators.Duration()},
			},
		},
	}
}

// ValidateConfig catches at plan time what attribute validators cannot: settings that
// depend on each other, with environment fallbacks taken into account.
func (p *baremetalProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var m baremetalProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.AuthStrategy.IsUnknown() {
		return
	}
	strategy := stringOr(m.AuthStrategy, envAuthStrategy, ironic.AuthNoAuth)
	if strategy == ironic.AuthHTTPBasic {
		for _, a := range []struct {
			name string
			v    types.String
			env  string
		}{{"username", m.Username, envUsername}, {"password", m.Password, envPassword}} {
			if !a.v.IsUnknown() && stringOr(a.v, a.env, "") == "" {
				resp.Diagnostics.AddAttributeError(path.Root(a.name), "Missing "+a.name+" for http_basic",
					fmt.Sprintf("auth_strategy \"http_basic\" needs %s, set in the provider block or in %s.", a.name, a.env))
			}
		}
	}
	if !m.CertFile.IsUnknown() && !m.KeyFile.IsUnknown() &&
		(stringOr(m.CertFile, envCertFile, "") == "") != (stringOr(m.KeyFile, envKeyFile, "") == "") {
		resp.Diagnostics.AddAttributeError(path.Root("cert_file"), "Incomplete client certificate",
			"cert_file and key_file go together: set both or neither.")
	}
}

func (p *baremetalProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m baremetalProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg := ironic.Config{
		Endpoint:     stringOr(m.Endpoint, envEndpoint, ""),
		AuthStrategy: stringOr(m.AuthStrategy, envAuthStrategy, ironic.AuthNoAuth),
		Username:     stringOr(m.Username, envUsername, ""),
		Password:     stringOr(m.Password, envPassword, ""),
		Cloud:        stringOr(m.Cloud, envCloud, ""),
		Microversion: stringOr(m.Microversion, envMicroversion, ""),
		CAFile:       stringOr(m.CAFile, envCAFile, ""),
		CertFile:     stringOr(m.CertFile, envCertFile, ""),
		KeyFile:      stringOr(m.KeyFile, envKeyFile, ""),
		Log:          logDebug,
		UserAgent:    "terraform-provider-baremetal/" + p.version,
	}
	retry := ironic.DefaultRetryPolicy(logWarn)
	// Values from the environment are checked here, since validators see only the config.
	var err error
	if cfg.Insecure, err = boolOr(m.Insecure, envInsecure); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("insecure"), "Invalid insecure", err.Error())
	}
	if cfg.APITimeout, err = durationOr(m.APITimeout, envAPITimeout, 0); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("api_timeout"), "Invalid api_timeout", err.Error())
	}
	if cfg.RequestTimeout, err = durationOr(m.ReqTimeout, envReqTimeout, ironic.DefaultRequestTimeout); err != nil || cfg.RequestTimeout == 0 {
		resp.Diagnostics.AddAttributeError(path.Root("request_timeout"), "Invalid request_timeout",
			fmt.Sprintf("%s must be a positive duration such as 30s or 2m.", envReqTimeout))
	}
	limits := image.Limits{}
	if limits.MaxAge, err = durationOr(m.CacheMaxAge, envCacheMaxAge, image.DefaultMaxAge); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("image_cache_max_age"), "Invalid image_cache_max_age", err.Error())
	}
	if n, err := intOr(m.CacheMaxGiB, envCacheMaxGiB, image.DefaultMaxSize>>30); err != nil || n < 0 {
		resp.Diagnostics.AddAttributeError(path.Root("image_cache_max_gib"), "Invalid image_cache_max_gib",
			fmt.Sprintf("%s must be a whole number >= 0.", envCacheMaxGiB))
	} else {
		limits.MaxSize = n << 30
	}
	if n, err := intOr(m.MaxRetries, envMaxRetries, int64(retry.MaxRetries)); err != nil || n < 0 {
		resp.Diagnostics.AddAttributeError(path.Root("max_retries"), "Invalid max_retries",
			fmt.Sprintf("%s must be a whole number >= 0.", envMaxRetries))
	} else {
		retry.MaxRetries = int(n)
	}
	cfg.Retry = retry
	if !strings.Contains(" "+strings.Join(ironic.AuthStrategies, " ")+" ", " "+cfg.AuthStrategy+" ") {
		resp.Diagnostics.AddAttributeError(path.Root("auth_strategy"), "Invalid auth_strategy",
			fmt.Sprintf("%q (from %s) is not one of %s.", cfg.AuthStrategy, envAuthStrategy, quotedList(ironic.AuthStrategies)))
	}
	if cfg.Endpoint != "" {
		if err := validators.CheckHTTPURL(cfg.Endpoint); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Invalid endpoint", err.Error())
		}
	}
	if cfg.Microversion != "" {
		if _, err := ironic.ParseVersion(cfg.Microversion); err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("microversion"), "Invalid microversion", err.Error())
		}
	}
	if cfg.Endpoint == "" && cfg.AuthStrategy != ironic.AuthKeystone && !m.Endpoint.IsUnknown() {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Missing Ironic endpoint",
			"Set endpoint in the provider block or "+envEndpoint+", for example http://127.0.0.1:6385. "+
				"Only auth_strategy \"keystone\" can find it in the service catalog.")
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.Password != "" {
		ctx = tflog.MaskLogStrings(ctx, cfg.Password)
	}
	tflog.Debug(ctx, "configured baremetal provider", map[string]any{"endpoint": cfg.Endpoint, "auth_strategy": cfg.AuthStrategy})
	imageTLS, err := imageTLSOf(m, cfg)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("image_insecure"), "Invalid image_insecure", err.Error())
		return
	}
	imageOpts := image.Options{
		CacheDir:       stringOr(m.ImageCache, envImageCache, defaultImageCacheDir()),
		TLS:            imageTLS,
		UserAgent:      cfg.UserAgent,
		Log:            logDebug,
		RequestTimeout: cfg.RequestTimeout,
		TimeoutHint:    "request_timeout",
		Limits:         limits,
	}
	data := newClients(cfg, imageOpts)
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ActionData = data
	resp.ListResourceData = data
}

func (p *baremetalProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{NewNodePowerAction, NewNodeBootDeviceAction, NewNodeRescueAction, NewNodeUnrescueAction,
		NewNodeInspectAction, NewNodeCleanAction, NewNodeServiceAction, NewDeploymentRebuildAction}
}

func (p *baremetalProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{NewNodeResource, NewPortResource, NewImageResource, NewDeploymentResource, NewAllocationResource, NewPortgroupResource, NewDeployTemplateResource, NewRunbookResource}
}

// ListResources are listed by `terraform query` (Terraform 1.14 or later).
func (p *baremetalProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{NewNodeListResource, NewPortListResource, NewPortgroupListResource, NewDeploymentListResource,
		NewAllocationListResource, NewRunbookListResource, NewDeployTemplateListResource}
}

func (p *baremetalProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{NewNodeDataSource, NewNodesDataSource, NewNodeInventoryDataSource, NewShardsDataSource}
}

// imageTLSOf is the trust image downloads use: their own CA file (default: ca_file) and
// their own opt-out. Neither insecure nor the API client certificate applies to them.
func imageTLSOf(m baremetalProviderModel, cfg ironic.Config) (httpclient.TLS, error) {
	insecure, err := boolOr(m.ImageInsec, envImageInsec)
	return httpclient.TLS{CAFile: stringOr(m.ImageCAFile, envImageCA, cfg.CAFile), Insecure: insecure}, err
}

func defaultImageCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "terraform-provider-baremetal", "images")
}

func stringOr(v types.String, env, def string) string {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueString()
	}
	if e := os.Getenv(env); e != "" {
		return e
	}
	return def
}

func boolOr(v types.Bool, env string) (bool, error) {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueBool(), nil
	}
	if e := os.Getenv(env); e != "" {
		b, err := strconv.ParseBool(e)
		if err != nil {
			return false, fmt.Errorf("%s=%q is not true or false", env, e)
		}
		return b, nil
	}
	return false, nil
}

func durationOr(v types.String, env string, def time.Duration) (time.Duration, error) {
	s := stringOr(v, env, def.String())
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a non-negative duration such as 90s or 5m", s)
	}
	return d, nil
}

func intOr(v types.Int64, env string, def int64) (int64, error) {
	if !v.IsNull() && !v.IsUnknown() {
		return v.ValueInt64(), nil
	}
	if e := os.Getenv(env); e != "" {
		return strconv.ParseInt(e, 10, 64)
	}
	return def, nil
}

func quotedList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = "`" + s + "`"
	}
	return strings.Join(q, ", ")
}
