package provider

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/metalform/terraform-provider-baremetal/internal/devtools"
)

// cliWorkspace is a Terraform working directory driven as a user drives it: commands
// typed at the CLI under test (TF_ACC_TERRAFORM_PATH), the provider built once per test
// run and installed through dev_overrides. terraform-plugin-testing has no step that
// invokes an action (-invoke); these tests run the CLI instead.
type cliWorkspace struct {
	t        *testing.T
	dir, rc  string
	env      []string
	lastPlan string
}

var installed struct {
	once sync.Once
	dir  string
	rc   string
	err  error
}

// newCLIWorkspace is an empty working directory with the provider installed.
func newCLIWorkspace(t *testing.T, env ...string) *cliWorkspace {
	t.Helper()
	installed.once.Do(func() {
		installed.dir, installed.err = os.MkdirTemp("", "baremetal-cli-")
		if installed.err == nil {
			installed.rc, installed.err = devtools.InstallProvider(context.Background(), installed.dir)
		}
	})
	if installed.err != nil {
		t.Fatal(installed.err)
	}
	return &cliWorkspace{t: t, dir: t.TempDir(), rc: installed.rc, env: env}
}

// write replaces main.tf.
func (w *cliWorkspace) write(hcl string) {
	w.t.Helper()
	head := "terraform {\n  required_providers {\n    baremetal = { source = \"metalform/baremetal\" }\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(head+hcl), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// run runs a command that must succeed, and returns its output.
func (w *cliWorkspace) run(args ...string) string {
	w.t.Helper()
	out, code := runCLI(w.dir, w.rc, w.env, args...)
	if code != 0 {
		w.t.Fatalf("terraform %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// fails runs a command that must fail, and returns its output.
func (w *cliWorkspace) fails(args ...string) string {
	w.t.Helper()
	out, code := runCLI(w.dir, w.rc, w.env, args...)
	if code == 0 {
		w.t.Fatalf("terraform %s succeeded; it should have failed\n%s", strings.Join(args, " "), out)
	}
	return out
}

// apply applies main.tf.
func (w *cliWorkspace) apply(args ...string) string {
	return w.run(append([]string{"apply", "-auto-approve", "-input=false"}, args...)...)
}

// invoke runs the action at addr ("baremetal_node_power.off") alone, as -invoke does.
func (w *cliWorkspace) invoke(addr string) string {
	return w.apply("-invoke=action." + addr)
}

// expectEmptyPlan fails unless a plan changes nothing.
func (w *cliWorkspace) expectEmptyPlan() {
	w.t.Helper()
	out, code := runCLI(w.dir, w.rc, w.env, "plan", "-detailed-exitcode", "-input=false")
	if code != 0 {
		w.t.Fatalf("the plan is not empty (exit %d):\n%s", code, out)
	}
}

// destroy destroys what main.tf manages.
func (w *cliWorkspace) destroy() { w.run("destroy", "-auto-approve", "-input=false") }
