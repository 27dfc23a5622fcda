package ironic

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/apiversions"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/httpbasic"
	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/noauth"
	"github.com/gophercloud/gophercloud/v2/openstack/config/clouds"

	"github.com/metalform/terraform-provider-baremetal/internal/backoff"
	"github.com/metalform/terraform-provider-baremetal/internal/httpclient"
)

// Auth strategies, as Ironic names them.
const (
	AuthNoAuth    = "noauth"
	AuthHTTPBasic = "http_basic"
	AuthKeystone  = "keystone"
)

// AuthStrategies lists the supported strategies, the default first.
var AuthStrategies = []string{AuthNoAuth, AuthHTTPBasic, AuthKeystone}

// Config is everything needed to talk to Ironic.
type Config struct {
	Endpoint     string // Ironic root URL; with keystone it may come from the catalog
	AuthStrategy string
	Username     string // http_basic
	Password     string // http_basic
	Cloud        string // keystone: an entry of clouds.yaml
	Microversion string // empty: negotiate
	CAFile       string
	CertFile     string
	KeyFile      string
	Insecure     bool
	APITimeout   time.Duration // how long to wait for the API to answer at start-up
	// RequestTimeout bounds every request (Keystone's included), answer and body
	// together; zero: DefaultRequestTimeout.
	RequestTimeout time.Duration
	Retry          *RetryPolicy
	Log            backoff.Logger
	UserAgent      string
}

// Connect builds an authenticated client, waits for the API when asked to, and settles
// the microversion. The Client it returns carries cfg.Retry and cfg.Log.
func Connect(ctx context.Context, cfg Config) (*Client, error) {
	transport, err := httpclient.Transport(cfg.tls())
	if err != nil {
		return nil, err
	}
	httpClient := cfg.httpClient(transport)

	var sc *gophercloud.ServiceClient
	switch cfg.AuthStrategy {
	case "", AuthNoAuth:
		sc, err = noauth.NewBareMetalNoAuth(noauth.EndpointOpts{IronicEndpoint: apiV1(cfg.Endpoint)})
	case AuthHTTPBasic:
		sc, err = httpbasic.NewBareMetalHTTPBasic(httpbasic.EndpointOpts{
			IronicEndpoint: apiV1(cfg.Endpoint), IronicUser: cfg.Username, IronicUserPassword: cfg.Password,
		})
	case AuthKeystone:
		// It sets its own HTTP client: clouds.yaml may add TLS settings (cacert) that
		// must hold for Ironic as they did for Keystone.
		sc, err = keystoneClient(ctx, cfg, httpClient)
	default:
		return nil, fmt.Errorf("unknown auth_strategy %q; use one of %s", cfg.AuthStrategy, strings.Join(AuthStrategies, ", "))
	}
	if err != nil {
		return nil, err
	}
	if cfg.AuthStrategy != AuthKeystone {
		sc.HTTPClient = httpClient
	}
	if cfg.UserAgent != "" {
		sc.UserAgent.Prepend(cfg.UserAgent)
	}

	versions, err := waitForAPI(ctx, sc, cfg.APITimeout, cfg.Log)
	if err != nil {
		return nil, err
	}
	if cfg.Retry != nil { // after waitForAPI, which is its own retry loop
		policy := *cfg.Retry
		policy.current = func(ctx context.Context, url string) (map[string]any, error) {
			var obj map[string]any
			_, err := sc.Get(ctx, strings.SplitN(url, "?", 2)[0], &obj, &gophercloud.RequestOpts{OkCodes: []int{200}})
			return obj, err
		}
		sc.RetryFunc = policy.Func()
	}
	mv, err := Negotiate(versions.DefaultVersion.MinVersion, versions.DefaultVersion.Version, cfg.Microversion)
	if err != nil {
		return nil, err
	}
	sc.Microversion = mv
	if cfg.Log != nil {
		cfg.Log(ctx, "connected to Ironic", map[string]any{
			"endpoint": sc.Endpoint, "server_max_microversion": versions.DefaultVersion.Version, "microversion": mv,
		})
	}
	return NewClient(sc, cfg.Retry, cfg.Log), nil
}

// apiV1 turns "http://host:6385" or ".../v1" into the API root gophercloud expects.
func apiV1(endpoint string) string {
	e := strings.TrimRight(endpoint, "/")
	if !strings.HasSuffix(e, "/v1") {
		e += "/v1"
	}
	return e + "/"
}

// rootClient addresses the version document at the server root. It shares the
// ProviderClient (auth, HTTP client, retry hook) with sc.
func rootClient(sc *gophercloud.ServiceClient) *gophercloud.ServiceClient {
	root := *sc
	base := strings.TrimSuffix(strings.TrimRight(sc.Endpoint, "/"), "/v1")
	root.Endpoint = base + "/"
	root.ResourceBase = root.Endpoint
	root.Microversion = ""
	return &root
}

// waitForAPI reads the version document, retrying connection errors and 5xx until
// timeout (zero: one attempt).
func waitForAPI(ctx context.Context, sc *gophercloud.ServiceClient, timeout time.Duration, log backoff.Logger) (*apiversions.APIVersions, error) {
	root := rootClient(sc)
	deadline := time.Now().Add(timeout)
	pace := backoff.Policy{Initial: 250 * time.Millisecond, Max: 5 * time.Second}
	for attempt := 1; ; attempt++ {
		delay := pace.Delay(uint(attempt))
		v, err := apiversions.List(ctx, root).Extract()
		if err == nil && v.DefaultVersion.Version != "" {
			return v, nil
		}
		if err == nil {
			err = errors.New("the version document names no API version")
		}
		code := StatusCode(err)
		transient := code == 0 || code >= 500
		if httpclient.IsTimeout(err) { // already waited a whole request_timeout: say so, keep the cause
			return nil, fmt.Errorf("Ironic API at %s did not answer: %w", root.Endpoint, err)
		}
		if !transient || time.Now().Add(delay).After(deadline) || ctx.Err() != nil {
			hint := ""
			if transient && timeout == 0 {
				hint = "; set api_timeout to wait for an Ironic that is still starting"
			}
			return nil, fmt.Errorf("Ironic API at %s did not answer (after %d attempt(s)): %s%s", root.Endpoint, attempt, Message(err), hint)
		}
		if log != nil {
			log(ctx, "waiting for the Ironic API", map[string]any{"endpoint": root.Endpoint, "attempt": attempt, "error": Message(err)})
		}
		if backoff.Sleep(ctx, delay) != nil {
			return nil, ctx.Err()
		}
	}
}

func keystoneClient(ctx context.Context, cfg Config, httpClient http.Client) (*gophercloud.ServiceClient, error) {
	opts := []clouds.ParseOption{}
	if cfg.Cloud != "" {
		opts = append(opts, clouds.WithCloudName(cfg.Cloud))
	}
	if cfg.CAFile != "" {
		opts = append(opts, clouds.WithCACertPath(cfg.CAFile))
	}
	if cfg.CertFile != "" && cfg.KeyFile != "" {
		opts = append(opts, clouds.WithClientCertPath(cfg.CertFile), clouds.WithClientKeyPath(cfg.KeyFile))
	}
	if cfg.Insecure {
		opts = append(opts, clouds.WithInsecure(true))
	}
	authOpts, endpointOpts, cloudTLS, err := clouds.Parse(opts...)
	if err != nil {
		return nil, fmt.Errorf("reading clouds.yaml: %w", err)
	}
	if cloudTLS != nil {
		httpClient = cfg.httpClient(httpclient.NewTransport(cloudTLS))
	}
	// A token that expires mid-apply is renewed with the same credentials, and the
	// request that met the 401 is sent again.
	authOpts.AllowReauth = true
	pc, err := openstack.NewClient(authOpts.IdentityEndpoint)
	if err != nil {
		return nil, err
	}
	pc.HTTPClient = httpClient
	cloud := cfg.Cloud
	if cloud == "" {
		cloud = os.Getenv("OS_CLOUD")
	}
	if err := openstack.Authenticate(ctx, pc, authOpts); err != nil {
		return nil, loginError(authOpts.IdentityEndpoint, cloud, err)
	}
	sc, err := openstack.NewBareMetalV1(pc, endpointOpts)
	if err != nil {
		return nil, catalogError(cloud, endpointOpts, err)
	}
	if cfg.Endpoint != "" { // an explicit endpoint wins over the catalog
		sc.Endpoint = strings.TrimSuffix(apiV1(cfg.Endpoint), "v1/")
		sc.ResourceBase = apiV1(cfg.Endpoint)
	}
	return sc, nil
}

// loginError says which Keystone refused which cloud's credentials.
func loginError(authURL, cloud string, err error) error {
	if code := StatusCode(err); code == http.StatusUnauthorized {
		return fmt.Errorf("Keystone at %s refused the credentials of cloud %q (HTTP 401): check its password or "+
			"application credential in clouds.yaml", authURL, cloud)
	}
	return fmt.Errorf("logging in to Keystone at %s (cloud %q): %w", authURL, cloud, err)
}

// catalogError names what was looked for when the catalog has no baremetal endpoint.
func catalogError(cloud string, opts gophercloud.EndpointOpts, err error) error {
	var missing *gophercloud.ErrEndpointNotFound
	if !errors.As(err, &missing) {
		return fmt.Errorf("finding the baremetal endpoint in the Keystone catalog: %w", err)
	}
	region := opts.Region
	if region == "" {
		region = "any"
	}
	return fmt.Errorf("the Keystone catalog of cloud %q has no baremetal endpoint with interface %q in region %q: "+
		"check region_name and interface in clouds.yaml, or set the provider's endpoint", cloud, opts.Availability, region)
}

// DefaultRequestTimeout bounds one API request when the configuration does not.
const DefaultRequestTimeout = 30 * time.Second

// httpClient bounds every request of the transport by the request timeout.
func (cfg Config) httpClient(transport http.RoundTripper) http.Client {
	timeout := cfg.RequestTimeout
	if timeout == 0 {
		timeout = DefaultRequestTimeout
	}
	return http.Client{Transport: httpclient.Bounded(transport, timeout, "request_timeout")}
}

func (cfg Config) tls() httpclient.TLS {
	return httpclient.TLS{CAFile: cfg.CAFile, CertFile: cfg.CertFile, KeyFile: cfg.KeyFile, Insecure: cfg.Insecure}
}
