package provider

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The version the build gives main.version reaches Ironic's access log: the provider,
// served as Terraform serves it, names itself and its version in every User-Agent.
func TestUserAgentCarriesProviderVersion(t *testing.T) {
	var mu sync.Mutex
	var agents []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		agents = append(agents, r.URL.Path+" "+r.Header.Get("User-Agent"))
		mu.Unlock()
		switch r.URL.Path {
		case "/":
			w.Write([]byte(`{"default_version":{"id":"v1","min_version":"1.1","status":"CURRENT","version":"1.82"},"versions":[]}`))
		case "/v1/shards":
			w.Write([]byte(`{"shards":[]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	ctx := context.Background()
	server := providerserver.NewProtocol6(New("1.2.3")())()
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	config := nullObjectExcept(t, schemas.Provider.ValueType(), map[string]tftypes.Value{
		"endpoint": tftypes.NewValue(tftypes.String, srv.URL),
	})
	conf, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.11.4", Config: config})
	if err != nil {
		t.Fatal(err)
	}
	failOnDiagnostics(t, conf.Diagnostics)
	read, err := server.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{
		TypeName: "baremetal_shards",
		Config:   nullObjectExcept(t, schemas.DataSourceSchemas["baremetal_shards"].ValueType(), nil),
	})
	if err != nil {
		t.Fatal(err)
	}
	failOnDiagnostics(t, read.Diagnostics)

	mu.Lock()
	defer mu.Unlock()
	if len(agents) < 2 {
		t.Fatalf("requests: %q", agents)
	}
	for _, a := range agents {
		path, ua, _ := strings.Cut(a, " ")
		if !strings.HasPrefix(ua, "terraform-provider-baremetal/1.2.3 ") {
			t.Errorf("%s: User-Agent %q, want it to start with terraform-provider-baremetal/1.2.3", path, ua)
		}
	}
}

// nullObjectExcept is a configuration of the given object type with every attribute
// null but those in set.
func nullObjectExcept(t *testing.T, typ tftypes.Type, set map[string]tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	obj, ok := typ.(tftypes.Object)
	if !ok {
		t.Fatalf("schema type %s is not an object", typ)
	}
	attrs := map[string]tftypes.Value{}
	for name, at := range obj.AttributeTypes {
		attrs[name] = tftypes.NewValue(at, nil)
		if v, ok := set[name]; ok {
			attrs[name] = v
		}
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, attrs))
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

func failOnDiagnostics(t *testing.T, diags []*tfprotov6.Diagnostic) {
	t.Helper()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Fatalf("%s: %s", d.Summary, d.Detail)
		}
	}
}
