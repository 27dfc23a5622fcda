package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/metalform/terraform-provider-baremetal/internal/devtools"
	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// With TF_LOG=TRACE, neither the BMC password nor the provider's password appears in any
// log line or any plan or apply output. This runs the real provider binary under the real
// Terraform CLI, as a user does, against an Ironic that requires HTTP basic auth.
func TestAccSecrets_notInLogsOrOutput(t *testing.T) {
	testAccPreCheck(t)
	const bmcPassword, apiPassword = "bmc-Secr3t-9f2k", "api-Secr3t-77xq"
	srv, err := ironictest.Start(context.Background(), ironictest.Options{Username: "admin", Password: apiPassword})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Remove()

	dir := t.TempDir()
	rc, err := devtools.InstallProvider(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "work")
	os.MkdirAll(work, 0o755)
	os.WriteFile(filepath.Join(work, "main.tf"), []byte(fmt.Sprintf(`
terraform {
  required_providers {
    baremetal = { source = "metalform/baremetal" }
  }
}
provider "baremetal" {
  endpoint      = %q
  auth_strategy = "http_basic"
  username      = "admin"
  password      = %q
}
resource "baremetal_node" "n" {
  name                   = %q
  driver                 = "fake-hardware"
  target_provision_state = "manageable"
  driver_info = {
    ipmi_address  = "10.0.0.9"
    ipmi_username = "root"
    ipmi_password = %q
  }
}
`, srv.Endpoint, apiPassword, testNodeName(), bmcPassword)), 0o600)

	logFile := filepath.Join(dir, "trace.log")
	var outputs strings.Builder
	for _, args := range [][]string{{"apply", "-auto-approve"}, {"plan"}, {"show"}, {"destroy", "-auto-approve"}} {
		cmd := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), append(args, "-no-color")...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_LOG=TRACE", "TF_LOG_PATH="+logFile, "CHECKPOINT_DISABLE=1")
		out, err := cmd.CombinedOutput()
		outputs.Write(out)
		if err != nil {
			t.Fatalf("terraform %v: %v\n%s", args, err, out)
		}
	}
	logs, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logs), "baremetal: creating node") || !strings.Contains(outputs.String(), "Apply complete!") {
		t.Fatal("the run did not log or apply what it should; the check below would prove nothing")
	}
	for _, secret := range []string{bmcPassword, apiPassword} {
		if strings.Contains(string(logs), secret) {
			t.Errorf("%s appears in the TRACE log", secret[:4])
		}
		if strings.Contains(outputs.String(), secret) {
			t.Errorf("%s appears in terraform's output", secret[:4])
		}
	}
}
