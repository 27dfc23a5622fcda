package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/metalform/terraform-provider-baremetal/internal/ironictest"
)

// An Ironic stand-in that accepts connections and never answers, with every setting at
// its default: the plan fails within two minutes, naming the endpoint and the setting.
func TestAccSilentIronic_blackHole(t *testing.T) {
	hole, err := ironictest.NewBlackHole()
	if err != nil {
		t.Fatal(err)
	}
	defer hole.Close()
	silentPlan(t, hole.URL, regexp.QuoteMeta(hole.URL)+`/.*`+wrapped("no answer within 30s (the provider setting request_timeout"))
}

// One that answers the version document and then goes silent: the node read times out,
// is sent once more, and the plan fails the same way.
func TestAccSilentIronic_afterConnect(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			w.Write([]byte(`{"default_version":{"id":"v1","min_version":"1.1","status":"CURRENT","version":"1.82"},"versions":[]}`))
			return
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	silentPlan(t, srv.URL, regexp.QuoteMeta(srv.URL)+`/v1/nodes/silent.*`+wrapped("no answer within 30s (the provider setting request_timeout"))
}

// wrapped matches text as Terraform prints it, wrapped at any space.
func wrapped(text string) string {
	return strings.Join(strings.Fields(regexp.QuoteMeta(text)), `\s+`)
}

func silentPlan(t *testing.T, endpoint, want string) {
	skipUnlessAcceptance(t)
	var start time.Time // set when the step starts: ParallelTest first waits for the sequential tests
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() { start = time.Now() },
			Config: fmt.Sprintf(`
provider "baremetal" {
  endpoint = %q
}
data "baremetal_node" "x" {
  name = "silent"
}
`, endpoint),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)` + want),
		}},
	})
	if took := time.Since(start); took > 2*time.Minute {
		t.Errorf("the plan failed only after %s", took)
	}
	t.Logf("plan against a silent endpoint failed after %s", time.Since(start).Round(time.Second))
}
