//go:build linux

// Command demo runs the quickstart end to end on this machine (`make demo`): a private
// Ironic with a stand-in machine and agent (the node deploys through Ironic's direct
// deploy interface, the agent writes the image to a disk file), a local image server,
// the provider built and installed for Terraform through dev_overrides (the user's own
// CLI config is not touched), then apply, the disk checked against the image, an empty
// second plan, and the forced replacement once the image server stops sending
// Last-Modified. It cleans up after itself; `make demo-down` removes what an interrupted
// run left.
package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/metalform/terraform-provider-baremetal/internal/devtools"
	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

func main() {
	down := flag.Bool("down", false, "remove what an earlier demo left behind, and exit")
	flag.Parse()
	root := devtools.RepoRoot()
	state := filepath.Join(root, ".demo")
	if *down {
		if err := os.RemoveAll(state); err != nil {
			fail(err)
		}
		fmt.Println("demo: removed", state)
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, root, state)
	announce("Cleaning up: stopping Ironic and the image server, removing %s", state)
	os.RemoveAll(state)
	if err != nil {
		fail(err)
	}
	fmt.Println("\ndemo: done. Run it again with `make demo`; the tests with `make test`.")
}

func run(ctx context.Context, root, state string) error {
	os.RemoveAll(state)
	work := filepath.Join(state, "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}

	announce("1/8 Building the provider and installing it for this demo only (dev_overrides in %s)", filepath.Join(state, "terraform.rc"))
	rc, err := devtools.InstallProvider(ctx, state)
	if err != nil {
		return err
	}

	announce("2/8 Starting a private Ironic (sqlite, noauth) and a stand-in machine with its agent in %s", filepath.Join(state, "ironic"))
	start := time.Now()
	ironic, err := ironictest.Start(ctx, ironictest.Options{Dir: filepath.Join(state, "ironic")})
	if err != nil {
		return fmt.Errorf("%w\n(is Ironic installed? `make deps` installs it)", err)
	}
	defer ironic.Stop()
	fmt.Printf("    Ironic answers at %s after %.1f s\n", ironic.Endpoint, time.Since(start).Seconds())

	announce("3/8 Starting an image server with a deploy kernel, a ramdisk, an instance image and SHA256SUMS")
	images, err := startImageServer(filepath.Join(state, "images"))
	if err != nil {
		return err
	}
	defer images.close()
	fmt.Printf("    serving %s (with Last-Modified headers)\n", images.url)

	src, err := os.ReadFile(filepath.Join(root, "examples", "quickstart", "main.tf"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(work, "main.tf"), src, 0o644); err != nil {
		return err
	}
	env := []string{
		"TF_CLI_CONFIG_FILE=" + rc, "BAREMETAL_ENDPOINT=" + ironic.Endpoint, "BAREMETAL_IMAGE_CACHE_DIR=" + filepath.Join(state, "cache"),
		"TF_VAR_image_server=" + images.url, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
	}
	tf := func(args ...string) error { return runCmd(ctx, work, env, "terraform", args...) }
	tfProgress := func(args ...string) error { return runFiltered(ctx, work, env, progressLine, "terraform", args...) }

	announce("4/8 terraform apply: three images fetched and checksummed, the guide's node enrolled with a port, and a " +
		"baremetal_deployment takes it to active through Ironic's direct deploy: the agent downloads the image, verifies " +
		"its sha256 and writes it to the machine's disk")
	if err := tf("apply", "-auto-approve", "-input=false", "-compact-warnings"); err != nil {
		return err
	}
	fmt.Printf("    for comparison: sha256sum os.qcow2       = %s\n", images.sha256)
	fmt.Printf("                    md5sum deploy.vmlinuz    = %s\n", images.kernelMD5)
	if err := checkDisk(ctx, work, env, ironic.Agent, images); err != nil {
		return err
	}
	fmt.Printf("    and Ironic itself says:\n")
	_ = runCmd(ctx, work, nil, "baremetal", "--os-endpoint", ironic.Endpoint, "--os-auth-type", "none",
		"node", "list", "--fields", "name", "provision_state", "power_state")

	announce("5/8 terraform plan again: nothing changed, so the plan is empty (and nothing is downloaded)")
	before := images.gets.Load()
	if err := tf("plan", "-input=false", "-detailed-exitcode", "-compact-warnings"); err != nil {
		return fmt.Errorf("the second plan is not empty: %w", err)
	}
	fmt.Printf("    image downloads during that plan: %d\n", images.gets.Load()-before)

	announce("6/8 The same state on another machine (another HOME, an empty image cache): the plan is empty and the apply changes nothing, downloading nothing")
	if err := elsewhere(ctx, work, filepath.Join(state, "elsewhere"), env, images); err != nil {
		return err
	}

	announce("7/8 The image server stops sending Last-Modified: Ironic would fetch such images again, so the plan replaces them")
	images.noLastModified.Store(true)
	err = tf("plan", "-input=false", "-detailed-exitcode")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		return fmt.Errorf("expected a plan with changes (exit code 2), got %v", err)
	}

	announce("8/8 terraform destroy: the node is undeployed and deleted; cached copies stay for other configurations until evicted by age or size")
	if err := tfProgress("destroy", "-auto-approve", "-input=false", "-compact-warnings"); err != nil {
		return err
	}
	left, _ := filepath.Glob(filepath.Join(state, "cache", "*.img"))
	fmt.Printf("    image copies left in the cache: %d\n", len(left))
	return nil
}

// checkDisk shows that the machine's disk holds exactly the image: what a deploy is for.
func checkDisk(ctx context.Context, work string, env []string, agent *ironictest.Agent, images *imageServer) error {
	cmd := exec.CommandContext(ctx, "terraform", "output", "-raw", "node_id")
	cmd.Dir, cmd.Env = work, append(os.Environ(), env...)
	id, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("terraform output node_id: %w", err)
	}
	disk, err := agent.Disk(string(id), images.osSize)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(disk)
	fmt.Printf("    sha256 of the first %d MiB of the node's disk (%s) = %s\n", images.osSize>>20, agent.DiskPath(string(id)), hex.EncodeToString(sum[:]))
	if hex.EncodeToString(sum[:]) != images.sha256 {
		return fmt.Errorf("the disk does not hold the image; the agent's log:\n%s", strings.Join(agent.Log(string(id)), "\n"))
	}
	fmt.Println("    the disk holds exactly the image")
	return nil
}

// elsewhere plans and applies a copy of the configuration and state as a second machine
// would: another HOME and image cache. Both must find nothing to do and download nothing.
func elsewhere(ctx context.Context, work, dir string, env []string, images *imageServer) error {
	if err := os.MkdirAll(filepath.Join(dir, "home"), 0o755); err != nil {
		return err
	}
	for _, f := range []string{"main.tf", "terraform.tfstate"} {
		b, err := os.ReadFile(filepath.Join(work, f))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			return err
		}
	}
	env = append(append([]string(nil), env...), "HOME="+filepath.Join(dir, "home"), "BAREMETAL_IMAGE_CACHE_DIR="+filepath.Join(dir, "cache"))
	before := images.gets.Load()
	if err := runCmd(ctx, dir, env, "terraform", "plan", "-input=false", "-detailed-exitcode", "-compact-warnings"); err != nil {
		return fmt.Errorf("the plan on the second machine is not empty: %w", err)
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "terraform", "apply", "-auto-approve", "-input=false", "-no-color")
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, append(os.Environ(), env...), &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("apply on the second machine: %w\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "0 added, 0 changed, 0 destroyed") {
		return fmt.Errorf("the apply on the second machine changed something:\n%s", out.String())
	}
	fmt.Printf("    apply there: 0 added, 0 changed, 0 destroyed; image downloads on that machine: %d\n", images.gets.Load()-before)
	if n := images.gets.Load() - before; n != 0 {
		return fmt.Errorf("the second machine downloaded %d images", n)
	}
	return nil
}

// progressLine keeps what shows progress and results, not the whole plan again.
func progressLine(line string) bool {
	for _, s := range []string{"Destroying...", "Destruction complete", "Destroy complete", "Error", "error"} {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

// imageServer serves generated images; noLastModified switches the header off.
type imageServer struct {
	url            string
	sha256         string
	osSize         int
	kernelMD5      string
	srv            *http.Server
	gets           atomic.Int64
	noLastModified atomic.Bool
}

func startImageServer(dir string) (*imageServer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	rng := rand.NewChaCha8([32]byte{42})
	files := map[string]int{"deploy.vmlinuz": 4 << 20, "deploy.initramfs": 8 << 20, "os.qcow2": 32 << 20}
	s := &imageServer{}
	var sums strings.Builder
	for name, size := range files {
		b := make([]byte, size)
		rng.Read(b)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(sum[:]), name)
		switch name {
		case "os.qcow2":
			s.sha256, s.osSize = hex.EncodeToString(sum[:]), size
		case "deploy.vmlinuz":
			m := md5.Sum(b)
			s.kernelMD5 = hex.EncodeToString(m[:])
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(sums.String()), 0o644); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	files_ := http.FileServer(http.Dir(dir))
	s.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			s.gets.Add(1)
		}
		if s.noLastModified.Load() {
			w = noLastModified{w}
		}
		files_.ServeHTTP(w, r)
	})}
	go s.srv.Serve(l)
	s.url = "http://" + l.Addr().String()
	return s, nil
}

func (s *imageServer) close() { s.srv.Close() }

// noLastModified drops the Last-Modified header, as a dynamic server would.
type noLastModified struct{ http.ResponseWriter }

func (w noLastModified) WriteHeader(code int) {
	w.Header().Del("Last-Modified")
	w.ResponseWriter.WriteHeader(code)
}

func (w noLastModified) Write(b []byte) (int, error) {
	w.Header().Del("Last-Modified")
	return w.ResponseWriter.Write(b)
}

func runCmd(ctx context.Context, dir string, env []string, name string, args ...string) error {
	return runFiltered(ctx, dir, env, nil, name, args...)
}

// runFiltered runs a command with its output indented, keeping only the lines keep
// accepts (all when keep is nil).
func runFiltered(ctx context.Context, dir string, env []string, keep func(string) bool, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if !isTerminal() && name == "terraform" {
		cmd.Args = append(cmd.Args[:2], append([]string{"-no-color"}, cmd.Args[2:]...)...)
	}
	out := &indent{w: os.Stdout, keep: keep}
	cmd.Stdout, cmd.Stderr = out, out
	err := cmd.Run()
	out.flush()
	return err
}

// indent sets command output off from the demo's own lines.
type indent struct {
	w    *os.File
	keep func(string) bool
	buf  []byte
}

func (i *indent) Write(b []byte) (int, error) {
	i.buf = append(i.buf, b...)
	for {
		n := bytes.IndexByte(i.buf, '\n')
		if n < 0 {
			return len(b), nil
		}
		i.line(string(i.buf[:n]))
		i.buf = i.buf[n+1:]
	}
}

func (i *indent) line(s string) {
	if i.keep == nil || i.keep(s) {
		fmt.Fprintln(i.w, "    "+s)
	}
}

func (i *indent) flush() {
	if len(i.buf) > 0 {
		i.line(string(i.buf))
		i.buf = nil
	}
}

func isTerminal() bool {
	st, err := os.Stdout.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func announce(format string, args ...any) {
	if isTerminal() {
		format = "\033[1m==> " + format + "\033[0m"
	} else {
		format = "==> " + format
	}
	fmt.Printf("\n"+format+"\n", args...)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "demo:", err)
	os.Exit(1)
}
