package provider

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// setUpCLI points terraform-plugin-testing at a CLI: TF_ACC_TERRAFORM_PATH (Terraform or
// OpenTofu), else a terraform on PATH, else the one make deps (internal/scripts/deps.sh)
// builds into bin/. For OpenTofu it also makes the environment one OpenTofu can run in.
func setUpCLI() error {
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		path, err := findTerraform()
		if err != nil {
			return err
		}
		os.Setenv("TF_ACC_TERRAFORM_PATH", path)
	}
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	// A CLI configuration file that is named but missing: Terraform carries on, but
	// OpenTofu prints a warning into `tofu version`, which the test framework then fails
	// to parse. Without one, each CLI reads its default, as a user's would.
	if rc := os.Getenv("TF_CLI_CONFIG_FILE"); rc != "" {
		if _, err := os.Stat(rc); err != nil {
			os.Unsetenv("TF_CLI_CONFIG_FILE")
		}
	}
	out, err := exec.Command(cli, "version").Output()
	if err != nil {
		return fmt.Errorf("%s version: %v", cli, err)
	}
	first, _, _ := strings.Cut(string(out), "\n")
	// The framework reattaches the in-process provider as registry.terraform.io/-/baremetal;
	// OpenTofu takes the legacy "-" namespace only on its own registry host.
	if strings.HasPrefix(first, "OpenTofu") && os.Getenv("TF_ACC_PROVIDER_HOST") == "" {
		os.Setenv("TF_ACC_PROVIDER_HOST", "registry.opentofu.org")
	}
	fmt.Fprintf(os.Stderr, "acceptance tests run %s (%s)\n", first, cli)
	return nil
}

// findTerraform is a terraform on PATH, else the one make deps builds into bin/.
func findTerraform() (string, error) {
	if p, err := exec.LookPath("terraform"); err == nil {
		return p, nil
	}
	local, _ := filepath.Abs("../../bin/terraform")
	if _, err := os.Stat(local); err == nil {
		return local, nil
	}
	return "", fmt.Errorf("no Terraform CLI: run make deps, or set TF_ACC_TERRAFORM_PATH")
}

// runCLI runs the CLI under test in dir with the CLI configuration rc and the extra
// environment, and returns its output and exit code.
func runCLI(dir, rc string, env []string, args ...string) (string, int) {
	at := 1 // -no-color goes after the command's name ("state list" has two words)
	if args[0] == "state" {
		at = 2
	}
	args = append(append(append([]string(nil), args[:at]...), "-no-color"), args[at:]...)
	cmd := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1"), env...)
	out, err := cmd.CombinedOutput()
	if exitErr, ok := err.(*exec.ExitError); ok {
		return string(out), exitErr.ExitCode()
	} else if err != nil {
		return err.Error(), -1
	}
	return string(out), 0
}
