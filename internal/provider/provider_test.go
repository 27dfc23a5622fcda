package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// testAccProtoV6ProviderFactories runs the provider in the test process, so the tests
// drive it with a real Terraform CLI while sharing its environment.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"baremetal": providerserver.NewProtocol6WithError(New("test")()),
}

// testServer is the private Ironic TestMain started; nil when the tests use another one.
var testServer *ironictest.Server

// TestMain starts a private Ironic for the acceptance tests (TF_ACC=1) unless
// BAREMETAL_ENDPOINT points at one already, and stops it afterwards, even on failure.
func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	if os.Getenv("TF_ACC") == "" {
		return m.Run()
	}
	if err := findTerraform(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if os.Getenv(envEndpoint) == "" {
		srv, err := ironictest.Start(context.Background(), ironictest.Options{})
		if err != nil {
			fmt.Fprintln(os.Stderr, "starting Ironic for the acceptance tests:", err)
			return 1
		}
		defer srv.Remove()
		testServer = srv
		os.Setenv(envEndpoint, srv.Endpoint)
		fmt.Fprintln(os.Stderr, "acceptance tests use Ironic at", srv.Endpoint)
	}
	return m.Run()
}

// findTerraform points terraform-plugin-testing at a Terraform CLI: TF_ACC_TERRAFORM_PATH,
// else one on PATH, else the one make deps (internal/scripts/deps.sh) builds into bin/.
func findTerraform() error {
	if os.Getenv("TF_ACC_TERRAFORM_PATH") != "" {
		return nil
	}
	if p, err := exec.LookPath("terraform"); err == nil {
		return os.Setenv("TF_ACC_TERRAFORM_PATH", p)
	}
	local, _ := filepath.Abs("../../bin/terraform")
	if _, err := os.Stat(local); err == nil {
		return os.Setenv("TF_ACC_TERRAFORM_PATH", local)
	}
	return fmt.Errorf("no Terraform CLI: run make deps, or set TF_ACC_TERRAFORM_PATH")
}

func testAccPreCheck(t *testing.T) {
	t.Helper()
	skipUnlessAcceptance(t)
	if os.Getenv(envEndpoint) == "" {
		t.Fatal(envEndpoint + " must be set for acceptance tests")
	}
}

// skipUnlessAcceptance skips a test that needs Ironic and Terraform outside TF_ACC=1
// runs (make testunit), as terraform-plugin-testing does for its own steps.
func skipUnlessAcceptance(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 (make testacc)")
	}
}

// testIronic is a direct API client for out-of-band changes and checks.
func testIronic(t *testing.T) *gophercloud.ServiceClient {
	t.Helper()
	skipUnlessAcceptance(t)
	sc, err := ironic.Connect(context.Background(), ironic.Config{Endpoint: os.Getenv(envEndpoint)})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// providerBlock is the provider configuration the tests use: all from the environment.
const providerBlock = `provider "baremetal" {}
`
