package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// testAccProtoV6ProviderFactories runs the provider in the test process, so the tests
// drive it with a real Terraform CLI while sharing its environment.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"baremetal": func() (tfprotov6.ProviderServer, error) { return NewServer("test")(), nil },
}

// testServer is the private Ironic TestMain started; nil when the tests use another one.
var testServer *ironictest.Server

// testKeystone is the Keystone in front of testServer in the keystone variant of the
// suite (BAREMETAL_TEST_AUTH=keystone); nil otherwise.
var testKeystone *ironictest.Keystone

// envTestAuth chooses the variant of the acceptance suite: empty for Ironic without
// authentication, "keystone" for Ironic behind a real Keystone, found through
// clouds.yaml and the catalog as users do.
const envTestAuth = "BAREMETAL_TEST_AUTH"

// testCloud is the clouds.yaml entry the keystone variant logs in with.
const testCloud = "baremetal-test"

// TestMain starts a private Ironic for the acceptance tests (TF_ACC=1) unless
// BAREMETAL_ENDPOINT points at one already, and stops it afterwards, even on failure.
func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	if os.Getenv("TF_ACC") == "" {
		return m.Run()
	}
	if err := setUpCLI(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	switch {
	case os.Getenv(envTestAuth) == ironic.AuthKeystone:
		ks, srv, err := startKeystoneIronic(context.Background())
		if err != nil {
			fmt.Fprintln(os.Stderr, "starting Keystone and Ironic for the acceptance tests:", err)
			return 1
		}
		defer ks.Remove()
		defer srv.Remove()
		fmt.Fprintln(os.Stderr, "acceptance tests log in to Keystone at", ks.URL, "and find Ironic", srv.Endpoint, "in its catalog")
	case os.Getenv(envTestAuth) != "":
		fmt.Fprintf(os.Stderr, "%s=%q: use keystone, or leave it empty\n", envTestAuth, os.Getenv(envTestAuth))
		return 1
	case os.Getenv(envEndpoint) == "":
		// BAREMETAL_TEST_IRONIC=current: the current Ironic make deps builds in a chroot.
		opts, err := ironictest.TestOptions()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		srv, err := ironictest.Start(context.Background(), opts)
		if err != nil {
			fmt.Fprintln(os.Stderr, "starting Ironic for the acceptance tests:", err)
			return 1
		}
		if os.Getenv("BAREMETAL_TEST_KEEP") != "" {
			defer srv.Stop() // its directory (logs, database, disks) kept for a look afterwards
			fmt.Fprintln(os.Stderr, "BAREMETAL_TEST_KEEP: Ironic's files stay in", srv.Dir)
		} else {
			defer srv.Remove()
		}
		testServer = srv
		os.Setenv(envEndpoint, srv.Endpoint)
		fmt.Fprintln(os.Stderr, "acceptance tests use Ironic at", srv.Endpoint, "(API", srv.MaxVersion+")")
	}
	return m.Run()
}

// startKeystoneIronic starts Keystone, then Ironic with auth_strategy keystone, and
// points the provider at them the way a user's environment would: a clouds.yaml, OS_CLOUD
// and no endpoint (it comes from the catalog).
func startKeystoneIronic(ctx context.Context) (*ironictest.Keystone, *ironictest.Server, error) {
	ks, err := ironictest.StartKeystone(ctx, "")
	if err != nil {
		return nil, nil, err
	}
	srv, err := ironictest.Start(ctx, ironictest.Options{Keystone: ks})
	if err != nil {
		ks.Remove()
		return nil, nil, err
	}
	clouds := filepath.Join(ks.Dir, "clouds.yaml")
	if err := ks.WriteCloudsYAML(clouds, map[string]ironictest.Cloud{testCloud: {}}); err != nil {
		srv.Remove()
		ks.Remove()
		return nil, nil, err
	}
	os.Unsetenv(envEndpoint)
	os.Setenv("OS_CLIENT_CONFIG_FILE", clouds)
	os.Setenv(envCloud, testCloud)
	os.Setenv(envAuthStrategy, ironic.AuthKeystone)
	testServer, testKeystone = srv, ks
	return ks, srv, nil
}

// testEndpoint is the Ironic API root the tests put proxies in front of.
func testEndpoint() string {
	if testServer != nil {
		return testServer.Endpoint
	}
	return os.Getenv(envEndpoint)
}

// testIronicConfig is how the tests' own direct client reaches Ironic: the same
// environment the provider reads.
func testIronicConfig() ironic.Config {
	// Retried as the provider retries: an Ironic on sqlite answers "database is locked"
	// now and then, to the tests' own changes too.
	return ironic.Config{Endpoint: os.Getenv(envEndpoint), AuthStrategy: os.Getenv(envAuthStrategy), Cloud: os.Getenv(envCloud),
		Retry: ironic.DefaultRetryPolicy(nil)}
}

var (
	testClientMu sync.Mutex
	testClient   *gophercloud.ServiceClient
)

// testIronicClient is a direct API client, connected once per test process (a Keystone
// login is not free; the client re-authenticates when its token expires).
func testIronicClient() (*gophercloud.ServiceClient, error) {
	testClientMu.Lock()
	defer testClientMu.Unlock()
	if testClient != nil {
		c := *testClient // callers may change the microversion
		return &c, nil
	}
	conn, err := ironic.Connect(context.Background(), testIronicConfig())
	if err != nil {
		return nil, err
	}
	testClient = conn.SC
	c := *conn.SC
	return &c, nil
}

func testAccPreCheck(t *testing.T) {
	t.Helper()
	skipUnlessAcceptance(t)
	if os.Getenv(envEndpoint) == "" && os.Getenv(envCloud) == "" {
		t.Fatal(envEndpoint + " or " + envCloud + " must be set for acceptance tests")
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
	sc, err := testIronicClient()
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// providerBlock is the provider configuration the tests use: all from the environment.
const providerBlock = `provider "baremetal" {}
`
