package provider

import (
	"fmt"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

func tlsNode(endpoint, settings, name string) string {
	return fmt.Sprintf(`
provider "baremetal" {
  endpoint = %q
  %s
}
resource "baremetal_node" "n" {
  name   = %q
  driver = "fake-hardware"
}
`, endpoint, settings, name)
}

// An HTTPS Ironic with a private CA: verification is on by default (no CA, or the
// wrong one, fails clearly), ca_file makes every call work, and insecure skips it.
func TestAccTLS_privateCA(t *testing.T) {
	testAccPreCheck(t)
	p, err := ironictest.NewTLSProxy(testEndpoint(), t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	name := testNodeName()
	ca := filepath.Join(p.Files, "ca.pem")
	ironicTest(t, resource.TestStep{
		Config:      tlsNode(p.URL, "", name),
		ExpectError: regexp.MustCompile(`(?s)Unable to connect to Ironic.*` + regexp.QuoteMeta(p.URL) + `.*certificate signed by unknown\s+authority`),
	}, resource.TestStep{
		Config:      tlsNode(p.URL, fmt.Sprintf("ca_file = %q", filepath.Join(p.Files, "other-ca.pem")), name),
		ExpectError: regexp.MustCompile(`(?s)Unable to connect to Ironic.*certificate signed by unknown\s+authority`),
	}, resource.TestStep{
		Config: tlsNode(p.URL, fmt.Sprintf("ca_file = %q", ca), name), // create, read, plan through TLS
	}, resource.TestStep{
		Config: tlsNode(p.URL, "insecure = true", name),
	}, resource.TestStep{
		Config: tlsNode(p.URL, fmt.Sprintf("ca_file = %q", ca), name), // destroy at the end goes through TLS too
	})
}

// An Ironic behind mutual TLS: the client certificate is presented on every call;
// without it the connection is refused with a clear error.
func TestAccTLS_clientCertificate(t *testing.T) {
	testAccPreCheck(t)
	p, err := ironictest.NewTLSProxy(testEndpoint(), t.TempDir(), true)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	name := testNodeName()
	ca := fmt.Sprintf("ca_file = %q", filepath.Join(p.Files, "ca.pem"))
	withCert := ca + fmt.Sprintf("\n  cert_file = %q\n  key_file = %q", filepath.Join(p.Files, "client.pem"), filepath.Join(p.Files, "client-key.pem"))
	ironicTest(t, resource.TestStep{
		Config:      tlsNode(p.URL, ca, name),
		ExpectError: regexp.MustCompile(`(?s)Unable to connect to Ironic.*(certificate required|bad certificate|handshake failure)`),
	}, resource.TestStep{
		Config: tlsNode(p.URL, withCert, name),
	})
}

// insecure is for the Ironic API only: image downloads keep verifying unless
// image_insecure says otherwise, and trust image_ca_file (default ca_file).
func TestImageTLSIsSeparate(t *testing.T) {
	cfg := ironic.Config{CAFile: "/etc/ironic-ca.pem", CertFile: "/c.pem", KeyFile: "/k.pem", Insecure: true}
	m := baremetalProviderModel{ImageCAFile: types.StringNull(), ImageInsec: types.BoolNull()}
	got, err := imageTLSOf(m, cfg)
	if err != nil || got.Insecure || got.CAFile != "/etc/ironic-ca.pem" || got.CertFile != "" {
		t.Fatalf("images got %+v (%v)", got, err)
	}
	m = baremetalProviderModel{ImageCAFile: types.StringValue("/etc/images-ca.pem"), ImageInsec: types.BoolValue(true)}
	if got, _ := imageTLSOf(m, cfg); !got.Insecure || got.CAFile != "/etc/images-ca.pem" {
		t.Fatalf("images got %+v", got)
	}
}
