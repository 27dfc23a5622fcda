package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"

	"github.com/metalform/terraform-provider-baremetal/internal/devtools"
	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// With TF_LOG=TRACE, neither the BMC password nor the provider's password appears in any
// log line or any plan or apply output. This runs the real provider binary under the real
// Terraform CLI, as a user does, against an Ironic that requires HTTP basic auth.
func TestAccSecrets_notInLogsOrOutput(t *testing.T) {
	testAccPreCheck(t)
	skipUnlessCLIHas(t, cliWriteOnly)
	const bmcPassword, apiPassword, woPassword, urlPassword = "bmc-Secr3t-9f2k", "api-Secr3t-77xq", "wo-Secr3t-5m1p", "url-Secr3t-3v8n"
	images := newTestImageServer(t, []byte("image behind basic auth"))
	imageURL := strings.Replace(images.URL, "http://", "http://mirror:"+urlPassword+"@", 1) + "/os.qcow2?token=" + urlPassword
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
variable "api_password" {
  type      = string
  ephemeral = true
}
provider "baremetal" {
  endpoint      = %q
  auth_strategy = "http_basic"
  username      = "admin"
  password      = var.api_password
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
variable "wo_password" {
  type      = string
  ephemeral = true
}
resource "baremetal_node" "wo" {
  name                      = "%s-wo"
  driver                    = "fake-hardware"
  driver_info               = { ipmi_address = "10.0.0.10" }
  driver_secrets_wo         = { ipmi_password = var.wo_password }
  driver_secrets_wo_version = 1
}
resource "baremetal_image" "os" {
  url = %q
}
`, srv.Endpoint, testNodeName(), bmcPassword, testNodeName(), imageURL)), 0o600)

	run := runAndCollect(t, dir, rc, "TF_VAR_api_password="+apiPassword, "TF_VAR_wo_password="+woPassword)
	if !strings.Contains(run.state, `"driver_secrets_wo_version": 1`) || images.gets.Load() == 0 {
		t.Fatal("the state or the image fetch is not what the checks below assume")
	}
	// The TRACE log holds none of them (the image URL's credentials included: the
	// provider redacts URLs). Terminal output holds none but the image URL as configured.
	// Plan JSON and state hold neither the write-only secret nor the provider password;
	// a BMC password written in driver_info is stored there, which is why the docs
	// recommend driver_secrets_wo.
	for _, c := range []struct {
		what, text string
		secrets    []string
	}{
		{"the TRACE log", run.logs, []string{bmcPassword, apiPassword, woPassword, urlPassword}},
		{"terraform's output", run.outputs, []string{bmcPassword, apiPassword, woPassword}},
		{"the plan JSON (terraform show -json)", run.planJSON, []string{apiPassword, woPassword}},
		{"terraform.tfstate", run.state, []string{apiPassword, woPassword}},
	} {
		for _, secret := range c.secrets {
			if strings.Contains(c.text, secret) {
				t.Errorf("%s appears in %s", secret[:4], c.what)
			}
		}
	}
}

// collected is what a run of the CLI left behind: the TRACE log, the terminal output,
// the plan JSON and the state as it was before destroy.
type collected struct{ logs, outputs, planJSON, state string }

// runAndCollect runs apply, plan, show (text and JSON) and destroy with TF_LOG=TRACE in
// dir/work, with the CLI configuration rc and the extra environment.
func runAndCollect(t *testing.T, dir, rc string, env ...string) collected {
	t.Helper()
	work := filepath.Join(dir, "work")
	logFile := filepath.Join(dir, "trace.log")
	var c collected
	var outputs, planJSON strings.Builder
	for _, args := range [][]string{{"apply", "-auto-approve"}, {"plan", "-out=plan.bin"}, {"show", "-json", "plan.bin"}, {"show"}, {"show", "-json"}, {"destroy", "-auto-approve"}} {
		if args[0] == "destroy" {
			state, _ := os.ReadFile(filepath.Join(work, "terraform.tfstate"))
			c.state = string(state)
		}
		out, code := runCLI(work, rc, append([]string{"TF_LOG=TRACE", "TF_LOG_PATH=" + logFile}, env...), args...)
		if args[0] == "show" && len(args) > 1 {
			planJSON.WriteString(out)
		} else {
			outputs.WriteString(out)
		}
		if code != 0 {
			t.Fatalf("terraform %v: exit %d\n%s", args, code, out)
		}
	}
	logs, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	c.logs, c.outputs, c.planJSON = string(logs), outputs.String(), planJSON.String()
	if !strings.Contains(c.logs, "baremetal: creating node") || !strings.Contains(c.outputs, "Apply complete!") ||
		!strings.Contains(c.planJSON, `"resource_changes"`) {
		t.Fatal("the run did not log, apply or plan what it should; a scan of it would prove nothing")
	}
	return c
}

// Logged in to a real Keystone with a password and with an application credential,
// neither secret appears in the TRACE log, the output, the plan JSON or the state.
func TestAccSecrets_keystoneCredentialsNotInLogsOrOutput(t *testing.T) {
	ks := keystonePreCheck(t)
	id, appSecret, err := ks.ApplicationCredential(context.Background(), "scan-"+acctest.RandString(6))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	clouds := filepath.Join(dir, "clouds.yaml")
	if err := ks.WriteCloudsYAML(clouds, map[string]ironictest.Cloud{
		"with-password": {}, "with-appcred": {AppCredentialID: id, AppCredentialSecret: appSecret},
	}); err != nil {
		t.Fatal(err)
	}
	rc, err := devtools.InstallProvider(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "work"), 0o755)
	os.WriteFile(filepath.Join(dir, "work", "main.tf"), []byte(fmt.Sprintf(`
terraform {
  required_providers {
    baremetal = { source = "metalform/baremetal" }
  }
}
provider "baremetal" {
  auth_strategy = "keystone"
  cloud         = "with-password"
}
provider "baremetal" {
  alias         = "appcred"
  auth_strategy = "keystone"
  cloud         = "with-appcred"
}
resource "baremetal_node" "password" {
  name   = %q
  driver = "fake-hardware"
}
resource "baremetal_node" "appcred" {
  provider = baremetal.appcred
  name     = %q
  driver   = "fake-hardware"
}
`, testNodeName(), testNodeName())), 0o600)
	run := runAndCollect(t, dir, rc, "OS_CLIENT_CONFIG_FILE="+clouds)
	if !strings.Contains(run.logs, "X-Auth-Token") && !strings.Contains(run.logs, "connected to Ironic") {
		t.Fatal("the TRACE log shows no Keystone-authenticated session; the scan would prove nothing")
	}
	for what, text := range map[string]string{
		"the TRACE log": run.logs, "terraform's output": run.outputs, "the plan JSON": run.planJSON, "terraform.tfstate": run.state,
	} {
		for name, secret := range map[string]string{"the Keystone password": ks.AdminPassword, "the application credential secret": appSecret} {
			if strings.Contains(text, secret) {
				t.Errorf("%s appears in %s", name, what)
			}
		}
	}
}
