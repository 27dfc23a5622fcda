//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/metalform/terraform-provider-baremetal/internal/devtools"
	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// env is a scratch directory with the provider built and a Terraform CLI config that
// points Terraform at it (dev_overrides), leaving the user's own CLI config alone.
type env struct {
	dir       string
	terraform string
	cliConfig string
	endpoint  string
	ironic    *ironictest.Server // with the agent that deploys through the direct interface
}

func newEnv() (*env, error) {
	dir, err := os.MkdirTemp("", "baremetal-bench-")
	if err != nil {
		return nil, err
	}
	e := &env{dir: dir}
	if e.terraform, err = exec.LookPath("terraform"); err != nil {
		return nil, fmt.Errorf("no terraform on PATH: run make deps")
	}
	if e.cliConfig, err = devtools.InstallProvider(context.Background(), dir, "-tags", "pprof"); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *env) close() { os.RemoveAll(e.dir) }

// terraformCmd runs terraform in dir against the bench Ironic.
func (e *env) terraformCmd(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command(e.terraform, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+e.cliConfig, "BAREMETAL_ENDPOINT="+e.endpoint,
		"CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_LOG=")
	return cmd
}

func (e *env) terraformRun(dir string, args ...string) error {
	out, err := e.terraformCmd(dir, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

const providerHeader = `terraform {
  required_providers {
    baremetal = { source = "metalform/baremetal" }
  }
}
`

// fleetConfig is n fake-hardware nodes named prefix-i, each with a port whose MAC starts
// with macPrefix (three octets), driven to target unless it is empty.
func fleetConfig(n int, prefix, macPrefix, target string) string {
	state := ""
	if target != "" {
		state = fmt.Sprintf("\n  target_provision_state = %q", target)
	}
	return providerHeader + fmt.Sprintf(`
provider "baremetal" {}

resource "baremetal_node" "n" {
  count  = %[1]d
  name   = "%[2]s${count.index}"
  driver = "fake-hardware"%[4]s
}

resource "baremetal_port" "p" {
  count   = %[1]d
  node_id = baremetal_node.n[count.index].id
  address = format("%[3]s:%%02x:%%02x:00", floor(count.index / 256), count.index %% 256)
}
`, n, prefix, macPrefix, state)
}
