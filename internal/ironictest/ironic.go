//go:build linux

// Package ironictest starts a real, private OpenStack Ironic (API and conductor in one
// process, sqlite, fake-hardware and ipmi; noauth, http_basic or a real Keystone) for
// tests and the demo. It needs Debian's ironic-api, ironic-conductor and keystone
// packages; make deps (internal/scripts/deps.sh) installs them.
package ironictest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Server is a running Ironic.
type Server struct {
	// Endpoint is the API root, e.g. http://127.0.0.1:34567.
	Endpoint string
	// Dir holds the config, database, logs and the pxe/http roots.
	Dir string
	// MaxVersion is the newest API microversion this Ironic offers, e.g. "1.82".
	MaxVersion string
	// Agent stands for the machines and the ironic-python-agent they boot: a node
	// with the direct deploy interface deploys through it.
	Agent *Agent
	// DeployKernel and DeployRamdisk are the agent's boot files, for a node's
	// driver_info: Ironic's PXE boot interface fetches and caches them as on a rack.
	DeployKernel, DeployRamdisk string
	// AgentInspect: this Ironic (24.0 and later) has the agent inspect interface, through
	// which the Agent inspects a node in-band; else only fake-hardware's fake inspects.
	AgentInspect bool
	// NoopDeploy: this Ironic (2026.1) has the noop deploy interface, enabled here (its
	// 35.0.1 accepts it on fake-hardware nodes only).
	NoopDeploy bool
	// BMC is a Redfish service for nodes of the redfish hardware type: power, boot
	// device, BIOS settings, through Ironic's own redfish interfaces.
	BMC *BMC

	// boot serves [deploy] http_root at http_url: images Ironic caches for the agent.
	boot *http.Server

	proc *process
	root string // the chroot Ironic runs in, or ""
	// auth adds the credentials the API wants to a request of the harness.
	auth func(context.Context, *http.Request) error
}

// Options tune Start; the zero value is what the tests use.
type Options struct {
	// Dir to use instead of a new temporary directory.
	Dir string
	// StartTimeout bounds the wait for the API to answer (Ironic needs ~15 s).
	StartTimeout time.Duration
	// Username and Password switch the API to auth_strategy http_basic.
	Username, Password string
	// Keystone switches the API to auth_strategy keystone: Ironic checks tokens with
	// it and is registered in its catalog (see Keystone.RegisterIronic).
	Keystone *Keystone

	// Root is a chroot holding another Ironic (a current one, which
	// internal/scripts/ironic-current.sh builds from a newer Debian's packages): Ironic
	// runs there, and sees the machine's temporary directory at its own path.
	Root string

	bootURL string // where [deploy] http_root is served
}

// Start writes a standalone config into a temporary directory, creates the schema,
// starts Ironic on a free loopback port and waits until its API answers.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.Root != "" {
		if _, err := os.Stat(filepath.Join(opts.Root, "usr/bin/ironic")); err != nil {
			return nil, fmt.Errorf("no Ironic in %s: run make deps (internal/scripts/ironic-current.sh builds it)", opts.Root)
		}
	} else if _, err := exec.LookPath("ironic"); err != nil {
		return nil, errors.New("ironic is not installed: run make deps (Debian packages ironic-api, ironic-conductor)")
	}
	dir := opts.Dir
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "ironic-"); err != nil {
			return nil, err
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	bootLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	opts.bootURL = "http://" + bootLn.Addr().String()
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", port)
	var service *ServiceUser
	if opts.Keystone != nil {
		if service, err = opts.Keystone.RegisterIronic(ctx, endpoint); err != nil {
			bootLn.Close()
			return nil, err
		}
	}
	s := &Server{Endpoint: endpoint, Dir: dir, auth: requestAuth(opts), root: opts.Root, AgentInspect: hasAgentInspect(opts.Root),
		NoopDeploy: hasNoopDeploy(opts.Root), DeployKernel: opts.bootURL + "/agent/ipa.kernel", DeployRamdisk: opts.bootURL + "/agent/ipa.initramfs"}
	if err := s.serveBootFiles(bootLn); err != nil {
		bootLn.Close()
		return nil, err
	}
	if err := s.createSchema(ctx, dir, port, opts, service); err != nil {
		s.Stop()
		return nil, err
	}
	if s.proc, err = startProcess(filepath.Join(dir, "ironic.out"), nil, s.command("ironic", "--config-file", filepath.Join(dir, "ironic.conf"))...); err != nil {
		s.Stop()
		return nil, err
	}

	timeout := opts.StartTimeout
	if timeout == 0 {
		timeout = 90 * time.Second
	}
	if err := s.waitReady(ctx, timeout); err != nil {
		s.Stop()
		return nil, err
	}
	if s.Agent, err = s.StartAgent(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	if s.BMC, err = startBMC(s.Agent.powerOffByBMC); err != nil {
		s.Stop()
		return nil, err
	}
	s.Agent.bmc.Store(s.BMC)
	return s, nil
}

// serveBootFiles serves what Ironic caches for the agent ([deploy] http_root) and the
// agent's kernel and ramdisk (small stand-ins: nothing boots them).
func (s *Server) serveBootFiles(ln net.Listener) error {
	agentDir := filepath.Join(s.Dir, "agent-ramdisk")
	if err := os.MkdirAll(agentDir, 0o755); err != nil {
		return err
	}
	for _, f := range []string{"ipa.kernel", "ipa.initramfs"} {
		if err := os.WriteFile(filepath.Join(agentDir, f), []byte("test agent "+f+"\n"), 0o644); err != nil {
			return err
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir(filepath.Join(s.Dir, "httpboot"))))
	mux.Handle("/agent/", http.StripPrefix("/agent/", http.FileServer(http.Dir(agentDir))))
	s.boot = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.boot.Serve(ln) }()
	return nil
}

// command is how to run one of Ironic's programs: as it is, or inside the chroot, in
// mount and PID namespaces of its own: the bind mounts of /dev and the temporary
// directory go away with the process, nothing of the machine's mount table changes,
// and when the harness dies (even by SIGKILL) the namespace's first process gets
// SIGKILL and takes every Ironic worker with it, so no run leaves a conductor behind.
func (s *Server) command(argv ...string) []string {
	if s.root == "" {
		return argv
	}
	const inChroot = `set -e
root=$1 tmp=$2; shift 2
mount --bind /dev "$root/dev"
mkdir -p "$root$tmp"
mount --bind "$tmp" "$root$tmp"
exec chroot "$root" "$@"`
	root, _ := filepath.Abs(s.root)
	return append([]string{"unshare", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc=" + filepath.Join(root, "proc"),
		"--", "sh", "-c", inChroot, "sh", root, filepath.Clean(os.TempDir())}, argv...)
}

// createSchema writes the config and creates the database, in write-ahead-log mode
// (without it, Ironic's own conductor once left an allocation "allocating" after
// "database is locked").
func (s *Server) createSchema(ctx context.Context, dir string, port int, opts Options, service *ServiceUser) error {
	conf, err := writeConfig(dir, port, opts, service)
	if err != nil {
		return err
	}
	argv := s.command("ironic-dbsync", "--config-file", conf, "create_schema")
	if out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput(); err != nil {
		return fmt.Errorf("ironic-dbsync: %v: %s", err, lastLines(out, 20))
	}
	return useWAL(ctx, filepath.Join(dir, "ironic.sqlite"))
}

func (s *Server) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		// A driver list proves the conductor registered too, not only the API.
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.Endpoint+"/v1/drivers", nil)
		err := s.auth(ctx, req)
		var resp *http.Response
		if err == nil {
			resp, err = client.Do(req)
		}
		if err == nil {
			body := new(bytes.Buffer)
			_, _ = body.ReadFrom(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.Contains(body.String(), "fake-hardware") {
				return s.readMaxVersion(ctx)
			}
		}
		if err, done := s.proc.exitErr(); done {
			return fmt.Errorf("ironic exited during start-up (%v): %s", err, s.LogTail(30))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("ironic did not answer within %s: %s", timeout, s.LogTail(30))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// readMaxVersion asks the API root for the newest microversion.
func (s *Server) readMaxVersion(ctx context.Context) error {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.Endpoint+"/", nil)
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var root struct {
		Default struct {
			Version string `json:"version"`
		} `json:"default_version"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&root); err != nil {
		return fmt.Errorf("reading Ironic's API root: %w", err)
	}
	s.MaxVersion = root.Default.Version
	return nil
}

// Stop ends the agent, Ironic and its children; it is safe to call more than once.
func (s *Server) Stop() {
	if s == nil {
		return
	}
	s.BMC.Stop()
	s.Agent.Stop()
	s.Agent = nil
	s.proc.stop()
	if s.boot != nil {
		_ = s.boot.Close()
	}
}

// requestAuth is how the harness itself authenticates to the API it started.
func requestAuth(opts Options) func(context.Context, *http.Request) error {
	switch {
	case opts.Keystone != nil:
		return func(ctx context.Context, req *http.Request) error {
			token, err := opts.Keystone.AdminToken()
			req.Header.Set("X-Auth-Token", token)
			return err
		}
	case opts.Username != "":
		return func(_ context.Context, req *http.Request) error {
			req.SetBasicAuth(opts.Username, opts.Password)
			return nil
		}
	}
	return func(context.Context, *http.Request) error { return nil }
}

// Remove stops Ironic and deletes its directory.
func (s *Server) Remove() {
	s.Stop()
	if s != nil && s.Dir != "" {
		_ = os.RemoveAll(s.Dir)
	}
}

// LogTail returns the last lines of Ironic's own log, for failure messages.
func (s *Server) LogTail(n int) string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "log", "ironic.log"))
	if len(b) == 0 {
		b, _ = os.ReadFile(filepath.Join(s.Dir, "ironic.out"))
	}
	return lastLines(b, n)
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func writeConfig(dir string, port int, opts Options, service *ServiceUser) (string, error) {
	for _, sub := range []string{"log", "lock", "deploy-logs", "tftpboot", "tftpboot/master_images", "images", "master_images", "httpboot"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return "", err
		}
	}
	auth := "noauth"
	if service != nil {
		auth = "keystone"
	} else if opts.Username != "" {
		auth = "http_basic"
		hash, err := bcrypt.GenerateFromPassword([]byte(opts.Password), bcrypt.MinCost)
		if err != nil {
			return "", err
		}
		line := opts.Username + ":" + string(hash) + "\n"
		if err := os.WriteFile(filepath.Join(dir, "htpasswd"), []byte(line), 0o600); err != nil {
			return "", err
		}
	}
	var buf bytes.Buffer
	if err := configTemplate.Execute(&buf, map[string]any{"Dir": dir, "Port": port, "Auth": auth, "Service": service, "BootURL": opts.bootURL,
		"TempDir": filepath.Clean(os.TempDir()), "AgentInspect": hasAgentInspect(opts.Root), "NoopDeploy": hasNoopDeploy(opts.Root),
		"ESPImage": espImage(dir)}); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "ironic.conf")
	return path, os.WriteFile(path, buf.Bytes(), 0o600)
}

// hasAgentInspect tells whether the Ironic in root ("" for the machine's own) has the
// agent inspect interface (Ironic 24.0 and later; not Debian 12's 21.4).
func hasAgentInspect(root string) bool {
	_, err := os.Stat(filepath.Join(root, "/usr/lib/python3/dist-packages/ironic/drivers/modules/inspector/agent.py"))
	return err == nil
}

// hasNoopDeploy tells whether the Ironic in root has the noop deploy interface
// (ironic.drivers.modules.noop:NoDeploy, Ironic 2026.1; not 21.4).
func hasNoopDeploy(root string) bool {
	src, err := os.ReadFile(filepath.Join(root, "/usr/lib/python3/dist-packages/ironic/drivers/modules/noop.py"))
	return err == nil && bytes.Contains(src, []byte("class NoDeploy("))
}

var configTemplate = template.Must(template.New("ironic.conf").Parse(`[DEFAULT]
auth_strategy = {{.Auth}}
http_basic_auth_user_file = {{.Dir}}/htpasswd
rpc_transport = none
host = localhost
log_dir = {{.Dir}}/log
use_stderr = false
enabled_hardware_types = fake-hardware,manual-management,ipmi,redfish
# redfish-virtual-media: Ironic builds an ISO of the deploy kernel and ramdisk, serves
# it from [deploy] http_root and has the BMC insert it and boot it (the harness's BMC
# reads it and boots the agent from it).
enabled_boot_interfaces = fake,pxe,redfish-virtual-media
{{with .ESPImage}}# The EFI system partition of the UEFI ISOs Ironic builds: shim and GRUB from Debian's
# shim-signed and grub-efi-amd64-signed, in a FAT image the harness makes; their GRUB reads
# its configuration from EFI/debian.
esp_image = {{.}}
grub_config_path = EFI/debian/grub.cfg
{{end}}enabled_deploy_interfaces = fake,direct,ramdisk{{if .NoopDeploy}},noop{{end}}
enabled_management_interfaces = fake,ipmitool,noop,redfish
enabled_power_interfaces = fake,ipmitool,redfish
enabled_bios_interfaces = no-bios,fake,redfish
enabled_console_interfaces = no-console,fake
# Ironic 24.0 and later inspect in-band by themselves (the agent inspect interface,
# whose ramdisk posts to /v1/continue_inspection); 21.4 only through ironic-inspector,
# which the harness does not run, so there only fake-hardware's fake inspects.
enabled_inspect_interfaces = no-inspect,fake{{if .AgentInspect}},agent{{end}}
# The redfish RAID interface builds volumes through the BMC's Redfish Storage.
enabled_raid_interfaces = no-raid,fake,redfish
# The agent rescue interface: the conductor boots the agent, which takes the rescue
# password (rescue.finalize_rescue). Not a default of any hardware type.
enabled_rescue_interfaces = no-rescue,fake,agent
enabled_vendor_interfaces = no-vendor,fake
# Ironic 22.1 and later have a firmware interface (21.4 ignores the option).
enabled_firmware_interfaces = no-firmware,fake,redfish
enabled_network_interfaces = noop
default_network_interface = noop

[api]
host_ip = 127.0.0.1
port = {{.Port}}

[database]
# A writer waits up to 30 s for sqlite's lock (pysqlite's default is 5 s): on a loaded
# machine Ironic otherwise loses a state change now and then ("database is locked"),
# leaving a node "deleting" or "cleaning" that no conductor works on.
connection = sqlite:///{{.Dir}}/ironic.sqlite?timeout=30

[dhcp]
dhcp_provider = none

[conductor]
automated_clean = false
# Ironic 21.4.4 and later read file:// images only below these: here the temporary
# directories the tests write their images to.
file_url_allowed_paths = {{.TempDir}},/var/lib/ironic
# The rescue ramdisk is the agent's own: a node needs no rescue_kernel or rescue_ramdisk.
rescue_kernel = {{.BootURL}}/agent/ipa.kernel
rescue_ramdisk = {{.BootURL}}/agent/ipa.initramfs

[oci]
# The tests' registry speaks plain HTTP on loopback: Ironic 2025.1 and later try HTTPS
# first and fall back to HTTP only when allowed (older Ironic ignores the section).
permit_fallback_to_http_transport = true

[pxe]
tftp_root = {{.Dir}}/tftpboot
tftp_master_path = {{.Dir}}/tftpboot/master_images
images_path = {{.Dir}}/images
instance_master_path = {{.Dir}}/master_images

[deploy]
# Images Ironic caches for the agent (file:// images, image_download_source = local),
# served by the harness.
http_root = {{.Dir}}/httpboot
http_url = {{.BootURL}}
# Ironic 2025.1 and later download a ramdisk deploy's boot_iso and hard-link it from this
# cache into their temporary directory (/tmp): both must be on one file system.
iso_master_path = {{.Dir}}/master_iso_images

[agent]
# The fake power interface cannot see the agent's soft power-off, so waiting for it
# (6 x 5 s by default) would only delay every deploy: Ironic powers off at once.
post_deploy_get_power_state_retries = 0
deploy_logs_local_path = {{.Dir}}/deploy-logs
# Ironic 26.0 and later ask for TLS to the agent by default; the test agent answers on
# loopback over plain HTTP.
require_tls = false

[ipmi]
# A BMC that does not answer fails a power call after 5 s, not after a minute.
command_retry_timeout = 5
min_command_interval = 1

[redfish]
# Virtual media ISOs are served from [deploy] http_root, not Swift.
use_swift = false
# A BMC that does not answer fails a call after a few seconds, not minutes; the
# harness's BMC applies BIOS settings as it boots, so Ironic checks for that every 2 s.
connection_attempts = 2
connection_retry_interval = 1
firmware_update_status_interval = 2
# Firmware updates: their tasks polled every 2 s, and the BMC checked once afterwards
# (by default three times, 30 s apart, inside the poll).
firmware_update_fail_interval = 2
firmware_update_required_successes = 1
firmware_update_validation_interval = 0
# A BMC whose version did not change is checked every 2 s, for 10 s (not 5 minutes).
firmware_update_bmc_version_check_interval = 2
firmware_update_reboot_delay = 10

[service_catalog]
# The API URL the agent is told to call back to.
endpoint_override = http://127.0.0.1:{{.Port}}

[oslo_concurrency]
lock_path = {{.Dir}}/lock
{{with .Service}}
[keystone_authtoken]
auth_type = password
auth_url = {{.AuthURL}}
www_authenticate_uri = {{.AuthURL}}
username = {{.Username}}
password = {{.Password}}
project_name = {{.ProjectName}}
user_domain_id = default
project_domain_id = default
# Bounded, like everything the tests wait on.
http_connect_timeout = 10
timeout = 30
{{end}}`))

// CurrentRoot is the chroot of the current Ironic that make deps builds
// (internal/scripts/ironic-current.sh), or the one BAREMETAL_TEST_IRONIC_ROOT names.
func CurrentRoot() string {
	if root := os.Getenv("BAREMETAL_TEST_IRONIC_ROOT"); root != "" {
		return root
	}
	dir, _ := os.Getwd()
	for d := dir; d != filepath.Dir(d); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "bin", "ironic-forky")
		}
	}
	return filepath.Join(dir, "bin", "ironic-forky")
}

// TestOptions are the options of the Ironic a test suite starts: Debian 12's own, or
// with BAREMETAL_TEST_IRONIC=current the current one in its chroot.
func TestOptions() (Options, error) {
	switch v := os.Getenv("BAREMETAL_TEST_IRONIC"); v {
	case "":
		return Options{}, nil
	case "current":
		return Options{Root: CurrentRoot()}, nil
	default:
		return Options{}, fmt.Errorf("BAREMETAL_TEST_IRONIC=%q: use current, or leave it empty", v)
	}
}
