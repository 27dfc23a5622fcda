package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

const anyNode = `
resource "baremetal_node" "n" {
  driver = "fake-hardware"
}
`

// Bad provider settings are reported on the attribute, at plan time.
func TestAccProvider_badConfig(t *testing.T) {
	cases := []struct {
		name, config, want string
	}{
		{"unknown auth_strategy", `provider "baremetal" { auth_strategy = "kerberos" }`,
			`(?s)Attribute auth_strategy value must be one of.*"noauth".*"http_basic".*"keystone".*got: "kerberos"`},
		{"endpoint not a URL", `provider "baremetal" { endpoint = "ironic.example:6385" }`,
			`(?s)Invalid URL.*endpoint.*is not an http:// or https:// URL`},
		{"endpoint with another scheme", `provider "baremetal" { endpoint = "ftp://127.0.0.1:6385" }`,
			`(?s)Invalid URL.*endpoint`},
		{"http_basic without credentials", `provider "baremetal" { auth_strategy = "http_basic" }`,
			`(?s)Missing username for http_basic.*BAREMETAL_USERNAME.*Missing password for http_basic`},
		{"microversion garbage", `provider "baremetal" { microversion = "latest" }`,
			`(?s)Invalid microversion.*"latest" is not a microversion`},
		{"negative api_timeout", `provider "baremetal" { api_timeout = "-5s" }`,
			`(?s)Invalid duration.*api_timeout.*non-negative duration`},
		{"negative max_retries", `provider "baremetal" { max_retries = -1 }`,
			`(?s)max_retries value must be at least 0`},
		{"cert without key", `provider "baremetal" { cert_file = "/tmp/c.pem" }`,
			`(?s)Incomplete client certificate.*cert_file and key_file go together`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      c.config + anyNode,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(c.want),
				}},
			})
		})
	}
}

func TestAccProvider_missingEndpoint(t *testing.T) {
	testAccPreCheck(t)
	t.Setenv(envEndpoint, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      `provider "baremetal" {}` + anyNode,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Missing Ironic endpoint.*BAREMETAL_ENDPOINT`),
		}},
	})
}

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
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkNodesDestroyed,
		Steps: []resource.TestStep{{
			Config: `provider "baremetal" { microversion = "1.70" }` + anyNode,
		}},
	})
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
