package provider

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

const anyNode = `
resource "baremetal_node" "n" {
  driver = "fake-hardware"
}
`

func TestAccProvider_unreachable(t *testing.T) {
	testAccPreCheck(t)
	t.Setenv(envEndpoint, "http://127.0.0.1:9")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      `provider "baremetal" {}` + anyNode,
			ExpectError: regexp.MustCompile(`(?s)Unable to connect to Ironic.*127.0.0.1:9.*did not answer.*api_timeout`),
		}},
	})
}

func TestAccProvider_explicitMicroversion(t *testing.T) {
	ironicTest(t, []resource.TestStep{{
		Config: `provider "baremetal" { microversion = "1.70" }` + anyNode,
	}}...)
}

func TestAccProvider_unsupportedMicroversion(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      `provider "baremetal" { microversion = "1.999" }` + "\ndata \"baremetal_nodes\" \"all\" {}\n",
			ExpectError: regexp.MustCompile(`(?s)Unable to connect to Ironic.*microversion\s+1.999\s+is\s+outside\s+the\s+server's\s+range\s+1.1\s+to`),
		}},
	})
}

// http_basic against a real Ironic of its own, with the credentials from the
// environment, and refused with wrong ones.
func TestAccProvider_httpBasic(t *testing.T) {
	testAccPreCheck(t)
	srv, err := ironictest.Start(context.Background(), ironictest.Options{Username: "admin", Password: "s3cr3t-basic"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Remove()
	t.Setenv(envEndpoint, srv.Endpoint)
	t.Setenv(envAuthStrategy, "http_basic")
	t.Setenv(envUsername, "admin")
	t.Setenv(envPassword, "s3cr3t-basic")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      `provider "baremetal" { password = "wrong" }` + "\ndata \"baremetal_nodes\" \"all\" {}\n",
			ExpectError: regexp.MustCompile(`(?s)Unable to list bare metal nodes.*Incorrect username or password \(HTTP 401\)`),
		}, {
			Config: `provider "baremetal" {}` + anyNode,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("provision_state"), knownvalue.StringExact("enroll")),
			},
		}},
	})
}

// keystone reads clouds.yaml through gophercloud; an unknown cloud is named in the error.
func TestAccProvider_keystoneUnknownCloud(t *testing.T) {
	testAccPreCheck(t)
	f := filepath.Join(t.TempDir(), "clouds.yaml")
	if err := os.WriteFile(f, []byte("clouds:\n  lab:\n    auth:\n      auth_url: http://127.0.0.1:9/v3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("OS_CLIENT_CONFIG_FILE", f)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      "provider \"baremetal\" {\n  auth_strategy = \"keystone\"\n  cloud = \"prod\"\n}\ndata \"baremetal_nodes\" \"all\" {}\n",
			ExpectError: regexp.MustCompile(`(?s)Unable to connect to Ironic.*reading\s+clouds.yaml:\s+cloud\s+"prod"\s+not\s+found`),
		}},
	})
}
