//go:build linux

package ironictest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sync"
	"text/template"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/applicationcredentials"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/endpoints"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/projects"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/regions"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/roles"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/services"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/users"
)

// Names the bootstrap gives; everything created afterwards is addressed by id, since
// this Keystone answers a lookup by name with 500 rather than 404.
const (
	KeystoneRegion = "RegionOne"
	KeystoneAdmin  = "admin" // the user, its project and its role
)

// Keystone is a private, bootstrapped Keystone: Debian's package under the uwsgi it
// ships with, sqlite (in write-ahead-log mode: otherwise one request's open read makes
// the next write fail with "database is locked"), fernet tokens.
type Keystone struct {
	// URL is the identity API root, http://127.0.0.1:PORT/v3.
	URL string
	// Dir holds the config, database, keys and logs.
	Dir           string
	AdminPassword string
	// AdminProjectID is the project the admin user's tokens are scoped to: what
	// Ironic records as the owner of the nodes that user creates.
	AdminProjectID, AdminUserID string

	mu        sync.Mutex
	procs     []*process
	admin     *gophercloud.ServiceClient
	serviceID string // the baremetal service in the catalog
}

// ServiceUser is the account Ironic validates tokens with (its [keystone_authtoken]).
type ServiceUser struct {
	AuthURL, Username, Password, ProjectName string
}

// StartKeystone bootstraps a Keystone in dir (a new temporary directory when empty)
// and starts it on a free loopback port.
func StartKeystone(ctx context.Context, dir string) (*Keystone, error) {
	for _, bin := range []string{"keystone-manage", "uwsgi"} {
		if _, err := exec.LookPath(bin); err != nil {
			return nil, fmt.Errorf("%s is not installed: run make deps (Debian package keystone)", bin)
		}
	}
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "keystone-"); err != nil {
			return nil, err
		}
	}
	k := &Keystone{Dir: dir, AdminPassword: "admin-" + randomHex(8)}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	k.URL = fmt.Sprintf("http://127.0.0.1:%d/v3", port)
	conf, err := k.writeConfig(port, time.Hour)
	if err != nil {
		return nil, err
	}
	if err := k.bootstrap(ctx, conf); err != nil {
		return nil, err
	}
	if err := k.serve(ctx, port, conf); err != nil {
		k.Stop()
		return nil, err
	}
	if err := k.connectAdmin(ctx); err != nil {
		k.Stop()
		return nil, err
	}
	return k, nil
}

func (k *Keystone) bootstrap(ctx context.Context, conf string) error {
	me, err := user.Current()
	if err != nil {
		return err
	}
	group, err := user.LookupGroupId(me.Gid)
	if err != nil {
		return err
	}
	owner := []string{"--keystone-user", me.Username, "--keystone-group", group.Name}
	steps := [][]string{
		{"db_sync"},
		{"fernet_setup"}, {"credential_setup"},
		{"bootstrap", "--bootstrap-password", k.AdminPassword, "--bootstrap-region-id", KeystoneRegion,
			// keystonemiddleware in Ironic looks for the internal identity endpoint.
			"--bootstrap-public-url", k.URL, "--bootstrap-internal-url", k.URL, "--bootstrap-admin-url", k.URL},
	}
	for i, step := range steps {
		args := append([]string{"--config-file", conf}, step...)
		if step[0] == "fernet_setup" || step[0] == "credential_setup" {
			args = append(args, owner...)
		}
		if out, err := exec.CommandContext(ctx, "keystone-manage", args...).CombinedOutput(); err != nil {
			return fmt.Errorf("keystone-manage %s: %v: %s", step[0], err, lastLines(out, 20))
		}
		if i == 0 {
			if err := useWAL(ctx, k.dbPath()); err != nil {
				return err
			}
		}
	}
	return nil
}

func (k *Keystone) dbPath() string { return filepath.Join(k.Dir, "keystone.sqlite") }

// serve runs one Keystone process with conf on port and waits until it answers.
func (k *Keystone) serve(ctx context.Context, port int, conf string) error {
	proc, err := startProcess(filepath.Join(k.Dir, fmt.Sprintf("uwsgi-%d.out", port)),
		[]string{"OS_KEYSTONE_CONFIG_FILES=" + conf},
		// uwsgi's HTTP router holds the client connections (keep-alive included) and hands
		// each request to a worker: a worker held by an idle keep-alive connection would
		// soon leave none for the next request. Workers are single-threaded, since
		// Keystone's sqlite connections must stay in the thread that opened them.
		"uwsgi", "--plugin", "python3,http", "--http", fmt.Sprintf("127.0.0.1:%d", port), "--http-keepalive",
		"--wsgi-file", "/usr/bin/keystone-wsgi-public", "--master", "--processes", "3", "--threads", "1", "--die-on-term")
	if err != nil {
		return err
	}
	k.mu.Lock()
	k.procs = append(k.procs, proc)
	k.mu.Unlock()

	url := fmt.Sprintf("http://127.0.0.1:%d/v3", port)
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	client := &http.Client{Timeout: 5 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if err, done := proc.exitErr(); done {
			return fmt.Errorf("keystone exited during start-up (%v): %s", err, k.LogTail(port, 30))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("keystone did not answer within 60s: %s", k.LogTail(port, 30))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// StartInstance starts one more Keystone process on the same database and keys, whose
// tokens expire after tokenLifetime; it returns its identity API root. Its tokens are
// valid everywhere the first one's are, until they expire.
func (k *Keystone) StartInstance(ctx context.Context, tokenLifetime time.Duration) (string, error) {
	port, err := freePort()
	if err != nil {
		return "", err
	}
	conf, err := k.writeConfig(port, tokenLifetime)
	if err != nil {
		return "", err
	}
	if err := k.serve(ctx, port, conf); err != nil {
		return "", err
	}
	return fmt.Sprintf("http://127.0.0.1:%d/v3", port), nil
}

// LogTail returns the end of the log of the Keystone process on port.
func (k *Keystone) LogTail(port, n int) string {
	b, _ := os.ReadFile(filepath.Join(k.Dir, fmt.Sprintf("keystone-%d.log", port)))
	out, _ := os.ReadFile(filepath.Join(k.Dir, fmt.Sprintf("uwsgi-%d.out", port)))
	return lastLines(append(b, out...), n)
}

// Stop ends every Keystone process; safe to call more than once.
func (k *Keystone) Stop() {
	if k == nil {
		return
	}
	k.mu.Lock()
	procs := k.procs
	k.mu.Unlock()
	for _, p := range procs {
		p.stop()
	}
}

// Remove stops Keystone and deletes its directory.
func (k *Keystone) Remove() {
	k.Stop()
	if k != nil && k.Dir != "" {
		_ = os.RemoveAll(k.Dir)
	}
}

func (k *Keystone) writeConfig(port int, tokenLifetime time.Duration) (string, error) {
	var buf bytes.Buffer
	if err := keystoneTemplate.Execute(&buf, map[string]any{
		"Dir": k.Dir, "Port": port, "Expiration": int(tokenLifetime.Seconds()),
	}); err != nil {
		return "", err
	}
	path := filepath.Join(k.Dir, fmt.Sprintf("keystone-%d.conf", port))
	return path, os.WriteFile(path, buf.Bytes(), 0o600)
}

var keystoneTemplate = template.Must(template.New("keystone.conf").Parse(`[DEFAULT]
log_file = {{.Dir}}/keystone-{{.Port}}.log
use_stderr = false

[database]
connection = sqlite:///{{.Dir}}/keystone.sqlite

[token]
provider = fernet
expiration = {{.Expiration}}

[fernet_tokens]
key_repository = {{.Dir}}/fernet-keys

[fernet_receipts]
key_repository = {{.Dir}}/fernet-keys

[credential]
key_repository = {{.Dir}}/credential-keys
`))

// connectAdmin logs the bootstrap admin in, project-scoped, as a user of clouds.yaml would.
func (k *Keystone) connectAdmin(ctx context.Context) error {
	pc, err := openstack.AuthenticatedClient(ctx, gophercloud.AuthOptions{
		IdentityEndpoint: k.URL, Username: KeystoneAdmin, Password: k.AdminPassword, DomainID: "default",
		Scope:       &gophercloud.AuthScope{ProjectName: KeystoneAdmin, DomainID: "default"},
		AllowReauth: true,
	})
	if err != nil {
		return fmt.Errorf("keystone admin login: %w", err)
	}
	admin, err := openstack.NewIdentityV3(pc, gophercloud.EndpointOpts{Region: KeystoneRegion})
	if err != nil {
		return err
	}
	var auth tokens.GetResult
	auth.Result = pc.GetAuthResult().(tokens.CreateResult).Result
	project, err := auth.ExtractProject()
	if err != nil {
		return err
	}
	u, err := auth.ExtractUser()
	if err != nil {
		return err
	}
	k.admin, k.AdminProjectID, k.AdminUserID = admin, project.ID, u.ID
	return nil
}

// AdminToken is a valid token of the admin user, for the harness's own requests.
func (k *Keystone) AdminToken() (string, error) {
	if k.admin == nil {
		return "", errors.New("keystone: not started")
	}
	if t := k.admin.Token(); t != "" {
		return t, nil
	}
	return "", errors.New("keystone: no admin token")
}

// RegisterIronic creates Ironic's service user (admin and service roles in a
// "service" project) and puts the baremetal service in the catalog at endpoint,
// for every interface of the bootstrap region.
func (k *Keystone) RegisterIronic(ctx context.Context, endpoint string) (*ServiceUser, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	project, err := projects.Create(ctx, k.admin, projects.CreateOpts{Name: "service", DomainID: "default"}).Extract()
	if err != nil {
		return nil, fmt.Errorf("keystone: creating the service project: %w", err)
	}
	password := "ironic-" + randomHex(8)
	u, err := users.Create(ctx, k.admin, users.CreateOpts{
		Name: "ironic", DomainID: "default", DefaultProjectID: project.ID, Password: password,
	}).Extract()
	if err != nil {
		return nil, fmt.Errorf("keystone: creating the ironic user: %w", err)
	}
	service, err := roles.Create(ctx, k.admin, roles.CreateOpts{Name: "service"}).Extract()
	if err != nil {
		return nil, fmt.Errorf("keystone: creating the service role: %w", err)
	}
	adminRole, err := k.roleID(ctx, KeystoneAdmin)
	if err != nil {
		return nil, err
	}
	for _, role := range []string{adminRole, service.ID} {
		if err := roles.Assign(ctx, k.admin, role, roles.AssignOpts{UserID: u.ID, ProjectID: project.ID}).ExtractErr(); err != nil {
			return nil, fmt.Errorf("keystone: giving the ironic user its roles: %w", err)
		}
	}
	svc, err := services.Create(ctx, k.admin, services.CreateOpts{Type: "baremetal",
		Extra: map[string]any{"name": "ironic", "description": "Bare metal provisioning"}}).Extract()
	if err != nil {
		return nil, fmt.Errorf("keystone: creating the baremetal service: %w", err)
	}
	k.serviceID = svc.ID
	for _, iface := range []gophercloud.Availability{gophercloud.AvailabilityPublic, gophercloud.AvailabilityInternal, gophercloud.AvailabilityAdmin} {
		if err := k.addEndpoint(ctx, KeystoneRegion, iface, endpoint); err != nil {
			return nil, err
		}
	}
	return &ServiceUser{AuthURL: k.URL, Username: "ironic", Password: password, ProjectName: "service"}, nil
}

// roleID finds a role by listing them all (a lookup by name answers 500 here).
func (k *Keystone) roleID(ctx context.Context, name string) (string, error) {
	pages, err := roles.List(k.admin, nil).AllPages(ctx)
	if err != nil {
		return "", fmt.Errorf("keystone: listing roles: %w", err)
	}
	all, err := roles.ExtractRoles(pages)
	if err != nil {
		return "", err
	}
	for _, r := range all {
		if r.Name == name {
			return r.ID, nil
		}
	}
	return "", fmt.Errorf("keystone: no role %q", name)
}

// AddBaremetalEndpoint adds another catalog entry for the baremetal service (creating
// the region when new), as a deployment with several regions or networks has.
func (k *Keystone) AddBaremetalEndpoint(ctx context.Context, region string, iface gophercloud.Availability, url string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if region != KeystoneRegion {
		if err := k.ensureRegion(ctx, region); err != nil {
			return err
		}
	}
	return k.addEndpoint(ctx, region, iface, url)
}

// EnsureRegion creates a region (with nothing in it) unless it exists.
func (k *Keystone) EnsureRegion(ctx context.Context, region string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.ensureRegion(ctx, region)
}

func (k *Keystone) ensureRegion(ctx context.Context, region string) error {
	_, err := regions.Create(ctx, k.admin, regions.CreateOpts{ID: region}).Extract()
	if err != nil && !gophercloud.ResponseCodeIs(err, http.StatusConflict) {
		return fmt.Errorf("keystone: creating region %s: %w", region, err)
	}
	return nil
}

func (k *Keystone) addEndpoint(ctx context.Context, region string, iface gophercloud.Availability, url string) error {
	_, err := endpoints.Create(ctx, k.admin, endpoints.CreateOpts{
		Availability: iface, Name: "ironic", Region: region, URL: url, ServiceID: k.serviceID,
	}).Extract()
	if err != nil {
		return fmt.Errorf("keystone: adding the %s baremetal endpoint in %s: %w", iface, region, err)
	}
	return nil
}

// ApplicationCredential creates one for the admin user (its current project and
// roles) and returns its id and secret.
func (k *Keystone) ApplicationCredential(ctx context.Context, name string) (id, secret string, err error) {
	ac, err := applicationcredentials.Create(ctx, k.admin, k.AdminUserID, applicationcredentials.CreateOpts{Name: name}).Extract()
	if err != nil {
		return "", "", fmt.Errorf("keystone: creating application credential %s: %w", name, err)
	}
	return ac.ID, ac.Secret, nil
}

// Cloud is one clouds.yaml entry for this Keystone's admin user; zero fields take the
// bootstrap's values.
type Cloud struct {
	AuthURL  string // default: URL
	Password string // default: AdminPassword
	// With an application credential, the login uses it instead of the password.
	AppCredentialID, AppCredentialSecret string
	Region, Interface                    string // default: RegionOne, public
	CACert                               string
}

// WriteCloudsYAML writes a clouds.yaml (as JSON, which is YAML too) with the entries.
func (k *Keystone) WriteCloudsYAML(path string, clouds map[string]Cloud) error {
	out := map[string]any{}
	for name, c := range clouds {
		auth := map[string]any{"auth_url": or(c.AuthURL, k.URL)}
		entry := map[string]any{
			"region_name": or(c.Region, KeystoneRegion), "interface": or(c.Interface, "public"),
			"identity_api_version": 3, "auth": auth,
		}
		if c.AppCredentialID != "" {
			entry["auth_type"] = "v3applicationcredential"
			auth["application_credential_id"], auth["application_credential_secret"] = c.AppCredentialID, c.AppCredentialSecret
		} else {
			entry["auth_type"] = "password"
			auth["username"], auth["password"] = KeystoneAdmin, or(c.Password, k.AdminPassword)
			auth["project_name"], auth["user_domain_id"], auth["project_domain_id"] = KeystoneAdmin, "default", "default"
		}
		if c.CACert != "" {
			entry["cacert"] = c.CACert
		}
		out[name] = entry
	}
	b, err := json.MarshalIndent(map[string]any{"clouds": out}, "", "  ")
	if err != nil {
		return err
	}
	// Whole or not at all: a provider may be reading it at this moment.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func or(v, fallback string) string {
	if v != "" {
		return v
	}
	return fallback
}
