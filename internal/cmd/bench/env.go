package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// env is a scratch directory with the provider built and a Terraform CLI config that
// points Terraform at it (dev_overrides), leaving the user's own CLI config alone.
type env struct {
	dir       string
	terraform string
	cliConfig string
	endpoint  string
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
	bin := filepath.Join(dir, "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-baremetal"), ".")
	build.Dir = repoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building the provider: %v\n%s", err, out)
	}
	e.cliConfig = filepath.Join(dir, "terraform.rc")
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"metalform/baremetal\" = %q\n  }\n  direct {}\n}\n", bin)
	return e, os.WriteFile(e.cliConfig, []byte(rc), 0o600)
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

func repoRoot() string {
	dir, _ := os.Getwd()
	for d := dir; d != "/"; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
	}
	return dir
}
