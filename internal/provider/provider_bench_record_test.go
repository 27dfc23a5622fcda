package provider

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// benchNodeConfig is the benchmarks' node: every attribute set the way the examples set
// them (the enrollment guide's driver_info with its BMC password, which Ironic masks;
// properties with capabilities, the boot mode among them), plus what a rack's nodes
// carry (traits, hardware interfaces, root device hints, owner, extra).
const benchNodeConfig = `
resource "baremetal_node" "bench" {
  name           = "bench-server1"
  driver         = "ipmi"
  description    = %q
  resource_class = "baremetal"
  owner          = "rack-team"

  driver_info = {
    ipmi_address   = "ipmi.server.net"
    ipmi_username  = "user"
    ipmi_password  = "bench-Zq8x"
    deploy_kernel  = "file:///images/deploy.vmlinuz"
    deploy_ramdisk = "http://my.server.net/images/deploy.ramdisk"
  }

  properties = {
    capabilities = "boot_mode:uefi"
    cpu_arch     = "x86_64"
    cpus         = "16"
    memory_mb    = "65536"
    local_gb     = "400"
  }
  root_device = { name = "/dev/sda" }
  traits      = ["CUSTOM_RACK_4", "CUSTOM_GPU"]

  boot_interface       = "pxe"
  deploy_interface     = "direct"
  management_interface = "ipmitool"
  power_interface      = "ipmitool"
  console_interface    = "no-console"
  inspect_interface    = "no-inspect"
  raid_interface       = "no-raid"
  rescue_interface     = "no-rescue"
  bios_interface       = "no-bios"

  extra = { rack = "r4", unit = "12" }
}

resource "baremetal_port" "bench" {
  node_id          = baremetal_node.bench.id
  address          = "52:54:00:12:34:56"
  pxe_enabled      = true
  physical_network = "physnet1"

  local_link_connection = {
    switch_id = "0a:1b:2c:3d:4e:5f"
    port_id   = "Ethernet1/3"
  }
  extra = { cable = %q }
}
`

// TestBenchRecord records the fixtures of the provider-only benchmarks from the real
// Ironic of the acceptance harness and a real Terraform: the requests Terraform sends
// for the node and the port in a plan that changes nothing and in an update, and every
// Ironic request the provider makes with its answer. Run it alone, on a fresh Ironic:
//
//	BAREMETAL_BENCH_RECORD=1 TF_ACC=1 TF_ACC_TERRAFORM_PATH=$PWD/bin/terraform \
//	  go test ./internal/provider -count=1 -run '^TestBenchRecord$'
func TestBenchRecord(t *testing.T) {
	if os.Getenv("BAREMETAL_BENCH_RECORD") == "" || os.Getenv("TF_ACC") == "" {
		t.Skip("records testdata/bench: set BAREMETAL_BENCH_RECORD=1 and TF_ACC=1")
	}
	rec := newExchangeRecorder(t, testEndpoint())
	defer rec.Close()
	capture := &requestCapture{objects: map[string]*benchObject{}}
	factories := map[string]func() (tfprotov6.ProviderServer, error){
		"baremetal": func() (tfprotov6.ProviderServer, error) {
			return &capturingServer{NewServer("test")().(frameworkServer), capture, rec}, nil
		},
	}
	cfg := func(description, cable string) string {
		return fmt.Sprintf("provider \"baremetal\" {\n  endpoint = %q\n}\n", rec.URL) + fmt.Sprintf(benchNodeConfig, description, cable)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		CheckDestroy:             checkNodesDestroyed,
		Steps: []resource.TestStep{
			{Config: cfg("rack 4, unit 12", "a")},
			{
				PreConfig: func() { capture.setStep("plan"); rec.setPhase("plan") },
				Config:    cfg("rack 4, unit 12", "a"), PlanOnly: true,
			},
			{
				PreConfig: func() {
					// The calls a large plan's batched refresh makes: a probe and the
					// list of each kind.
					recordLists(t, rec.URL)
					capture.setStep("update")
					rec.setPhase("")
				},
				Config: cfg("rack 4, unit 13", "b"),
			},
		},
	})
	if t.Failed() {
		return
	}
	for _, kind := range []string{"baremetal_node", "baremetal_port"} {
		o := capture.objects[kind]
		if o == nil || o.RawState == nil || o.Config == nil || o.Proposed == nil || o.UpdateProp == nil {
			t.Fatalf("%s: not all requests captured: %+v", kind, o)
		}
		if err := writeBenchJSON(strings.TrimPrefix(kind, "baremetal_")+".json", o); err != nil {
			t.Fatal(err)
		}
	}
	if err := writeBenchJSON("ironic.json", rec.exchanges()); err != nil {
		t.Fatal(err)
	}
}

func recordLists(t *testing.T, endpoint string) {
	ctx := context.Background()
	ic, err := ironic.Connect(ctx, ironic.Config{Endpoint: endpoint})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ic.NodesAtMost(ctx, listProbeLimit); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.ListAllBootedNodes(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.PortsAtMost(ctx, listProbeLimit); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.ListAllPorts(ctx); err != nil {
		t.Fatal(err)
	}
}

// listProbeLimit: any page size; the fake Ironic ignores it.
const listProbeLimit = 16 * (batchAfter + 1)

// requestCapture keeps the requests Terraform sends for the node and the port.
type requestCapture struct {
	mu      sync.Mutex
	step    string
	objects map[string]*benchObject
}

// called notes the RPCs Terraform makes for an object in the plan step.
func (c *requestCapture) called(typeName, rpc string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.step == "plan" {
		if c.objects[typeName] == nil {
			c.objects[typeName] = &benchObject{TypeName: typeName}
		}
		c.objects[typeName].RPCs = append(c.objects[typeName].RPCs, rpc)
	}
}

func (c *requestCapture) setStep(s string) { c.mu.Lock(); c.step = s; c.mu.Unlock() }

func (c *requestCapture) object(typeName string) (*benchObject, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	o := c.objects[typeName]
	if o == nil {
		o = &benchObject{TypeName: typeName}
		c.objects[typeName] = o
	}
	return o, c.step
}

// capturingServer is the provider's server, noting what Terraform asks of it.
type capturingServer struct {
	frameworkServer
	c   *requestCapture
	rec *exchangeRecorder
}

func (s *capturingServer) typeOf(ctx context.Context, typeName string) tftypes.Type {
	types, _, _, err := resourceTypes(ctx, s.frameworkServer)
	if err != nil {
		panic(err)
	}
	return types[typeName]
}

func (s *capturingServer) identityOf(ctx context.Context, typeName string) tftypes.Type {
	resp, err := s.frameworkServer.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		panic(err)
	}
	return resp.IdentitySchemas[typeName].ValueType()
}

func (s *capturingServer) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	s.c.called(req.TypeName, "UpgradeResourceIdentity")
	return s.frameworkServer.UpgradeResourceIdentity(ctx, req)
}

func must(raw []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return raw
}

func (s *capturingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	s.c.called(req.TypeName, "UpgradeResourceState")
	if o, step := s.c.object(req.TypeName); step == "plan" && req.RawState != nil {
		o.SchemaVersion, o.RawState = req.Version, append([]byte(nil), req.RawState.JSON...)
	}
	return s.frameworkServer.UpgradeResourceState(ctx, req)
}

func (s *capturingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	s.c.called(req.TypeName, "ValidateResourceConfig")
	return s.frameworkServer.ValidateResourceConfig(ctx, req)
}

func (s *capturingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	if o, step := s.c.object(req.TypeName); step == "plan" {
		o.ReadPrivate = append([]byte(nil), req.Private...)
		if req.CurrentIdentity != nil {
			o.Identity = must(dynamicJSON(req.CurrentIdentity.IdentityData, s.identityOf(ctx, req.TypeName)))
		}
		s.c.called(req.TypeName, "ReadResource")
	}
	return s.frameworkServer.ReadResource(ctx, req)
}

func (s *capturingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	typ := s.typeOf(ctx, req.TypeName)
	s.c.called(req.TypeName, "PlanResourceChange")
	switch o, step := s.c.object(req.TypeName); step {
	case "plan":
		o.Config = must(dynamicJSON(req.Config, typ))
		o.Proposed = must(dynamicJSON(req.ProposedNewState, typ))
		o.Prior = must(dynamicJSON(req.PriorState, typ))
	case "update":
		if o.UpdateProp == nil { // the plan before the apply, not the one after it
			o.UpdateConfig = must(dynamicJSON(req.Config, typ))
			o.UpdateProp = must(dynamicJSON(req.ProposedNewState, typ))
		}
	}
	return s.frameworkServer.PlanResourceChange(ctx, req)
}

func (s *capturingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	_, step := s.c.object(req.TypeName)
	planned, err := req.PlannedState.Unmarshal(s.typeOf(ctx, req.TypeName))
	if step == "update" && err == nil && !planned.IsNull() { // an update, not the destroy after the test
		s.rec.setPhase("apply")
		defer s.rec.setPhase("")
	}
	return s.frameworkServer.ApplyResourceChange(ctx, req)
}

// exchangeRecorder is a proxy in front of Ironic that keeps each request with its
// answer while a phase is set.
type exchangeRecorder struct {
	URL   string
	srv   *httptest.Server
	mu    sync.Mutex
	phase string
	log   []benchExchange
}

func newExchangeRecorder(t *testing.T, target string) *exchangeRecorder {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	r := &exchangeRecorder{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ModifyResponse = func(resp *http.Response) error {
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.phase == "" {
			return nil
		}
		header := resp.Header.Clone()
		for _, h := range []string{"Date", "Content-Length", "Server", "Connection"} {
			header.Del(h)
		}
		req := resp.Request
		r.log = append(r.log, benchExchange{
			Phase: r.phase, Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery, Status: resp.StatusCode,
			Header: header, Body: strings.ReplaceAll(strings.ReplaceAll(string(body), r.URL, endpointMark), target, endpointMark),
		})
		return nil
	}
	r.srv = httptest.NewServer(proxy)
	r.URL = r.srv.URL
	return r
}

func (r *exchangeRecorder) setPhase(p string) { r.mu.Lock(); r.phase = p; r.mu.Unlock() }
func (r *exchangeRecorder) Close()            { r.srv.Close() }

// exchanges returns the recorded exchanges, one per request (the last answer wins).
func (r *exchangeRecorder) exchanges() []benchExchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []benchExchange
	seen := map[string]int{}
	for _, e := range r.log {
		k := e.Phase + " " + exchangeKey(e.Method, e.Path, e.Query)
		if i, ok := seen[k]; ok {
			out[i] = e
			continue
		}
		seen[k] = len(out)
		out = append(out, e)
	}
	return out
}
