package provider

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// testImageServer serves one image whose Last-Modified header the test controls.
type testImageServer struct {
	*httptest.Server
	mu           sync.Mutex
	body         []byte
	lastModified string
	gets, heads  atomic.Int32
	hang         atomic.Bool // accept requests and never answer them
}

func newTestImageServer(t *testing.T, body []byte) *testImageServer {
	s := &testImageServer{body: body, lastModified: "Wed, 21 Oct 2026 07:28:00 GMT"}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.hang.Load() {
			<-r.Context().Done()
			return
		}
		s.mu.Lock()
		body, lm := s.body, s.lastModified
		s.mu.Unlock()
		if lm != "" {
			w.Header().Set("Last-Modified", lm)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		if r.Method == http.MethodHead {
			s.heads.Add(1)
			return
		}
		s.gets.Add(1)
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

// expectGets checks how many downloads the server has served in all.
func (s *testImageServer) expectGets(want int32) resource.TestCheckFunc {
	return func(*terraformState) error {
		if g := s.gets.Load(); g != want {
			return fmt.Errorf("%d downloads, want %d", g, want)
		}
		return nil
	}
}

func (s *testImageServer) setLastModified(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastModified = v
}

func imageConfig(cacheDir, body string) string {
	return fmt.Sprintf(`
provider "baremetal" {
  image_cache_dir = %q
}
%s`, cacheDir, body)
}

func hexMD5(b []byte) string    { s := md5.Sum(b); return hex.EncodeToString(s[:]) }
func hexSHA256(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func TestAccImage_httpLastModified(t *testing.T) {
	body := []byte("instance image bytes " + testNodeName())
	srv := newTestImageServer(t, body)
	cache := t.TempDir()
	cfg := imageConfig(cache, fmt.Sprintf(`
resource "baremetal_image" "disk" {
  url = "%s/images/disk.qcow2"
}
`, srv.URL))
	expectGets := srv.expectGets
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("baremetal_image.disk", tfjsonpath.New("checksum"), knownvalue.StringExact(hexMD5(body))),
				statecheck.ExpectKnownValue("baremetal_image.disk", tfjsonpath.New("checksum_algorithm"), knownvalue.StringExact("md5")),
				statecheck.ExpectKnownValue("baremetal_image.disk", tfjsonpath.New("size"), knownvalue.Int64Exact(int64(len(body)))),
				statecheck.ExpectKnownValue("baremetal_image.disk", tfjsonpath.New("last_modified"), knownvalue.StringExact("2026-10-21T07:28:00Z")),
			},
			Check: resource.ComposeTestCheckFunc(expectGets(1), checkCachedCopy(cache, body)),
		}, {
			// Unchanged source: empty plan, nothing downloaded.
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: expectGets(1),
		}, {
			// The server stops sending Last-Modified: every plan must replace the image.
			PreConfig: func() { srv.setLastModified("") },
			Config:    cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction("baremetal_image.disk", plancheck.ResourceActionReplace)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectResourceAction("baremetal_image.disk", plancheck.ResourceActionReplace)},
			},
			ExpectNonEmptyPlan: true,
			Check:              expectGets(2),
		}, {
			// A newer Last-Modified also replaces it; the same one afterwards does not.
			PreConfig: func() { srv.setLastModified("Thu, 22 Oct 2026 07:28:00 GMT") },
			Config:    cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("baremetal_image.disk", plancheck.ResourceActionReplace),
					plancheck.ExpectUnknownValue("baremetal_image.disk", tfjsonpath.New("checksum")),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("baremetal_image.disk", tfjsonpath.New("last_modified"), knownvalue.StringExact("2026-10-22T07:28:00Z")),
			},
			Check: expectGets(3),
		}, {
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			Check: expectGets(3),
		}},
	})
	// Destroy leaves the copy to eviction: another configuration may use the same URL.
	if err := checkCachedCopy(cache, body)(nil); err != nil {
		t.Errorf("after destroy: %s", err)
	}
}

// checkCachedCopy checks that the cache directory holds exactly one copy, with these bytes.
func checkCachedCopy(cache string, want []byte) resource.TestCheckFunc {
	return func(*terraformState) error {
		files, _ := filepath.Glob(filepath.Join(cache, "*.img"))
		if len(files) != 1 {
			return fmt.Errorf("cache holds %v, want one copy", files)
		}
		if got, err := os.ReadFile(files[0]); err != nil || string(got) != string(want) {
			return fmt.Errorf("cached copy differs from the served bytes (%v)", err)
		}
		return nil
	}
}

func TestAccImage_fileMtime(t *testing.T) {
	body := []byte("deploy kernel " + testNodeName())
	dir := t.TempDir()
	path := filepath.Join(dir, "deploy.vmlinuz")
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	cfg := imageConfig(cache, fmt.Sprintf(`
resource "baremetal_image" "kernel" {
  url                = "file://%s"
  checksum_algorithm = "sha256"
}
`, path))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("baremetal_image.kernel", tfjsonpath.New("checksum"), knownvalue.StringExact(hexSHA256(body))),
			},
		}, {
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		}, {
			// touch(1): a new mtime forces a replacement.
			PreConfig: func() {
				later := time.Now().Add(time.Hour)
				if err := os.Chtimes(path, later, later); err != nil {
					t.Fatal(err)
				}
			},
			Config:             cfg,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}, {
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("baremetal_image.kernel", plancheck.ResourceActionReplace)},
			},
		}},
	})
	if entries, _ := os.ReadDir(cache); len(entries) != 0 {
		t.Errorf("a file:// image was copied into the cache: %v", entries)
	}
}

func TestAccImage_wrongChecksumKeepsNothing(t *testing.T) {
	body := []byte("some bytes")
	srv := newTestImageServer(t, body)
	cache := t.TempDir()
	wrong := "sha256:" + hexSHA256([]byte("other bytes"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: imageConfig(cache, fmt.Sprintf(`
resource "baremetal_image" "bad" {
  url               = "%s/images/bad.img"
  expected_checksum = %q
}
`, srv.URL, wrong)),
			ExpectError: regexp.MustCompile(`(?s)Unable to fetch image.*checksum mismatch for.*/images/bad.img: sha256\s+expected\s+` +
				hexSHA256([]byte("other bytes")) + `,\s+got\s+` + hexSHA256(body)),
		}},
	})
	entries, _ := os.ReadDir(cache)
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".lock" {
			t.Errorf("failed fetch left %s in the cache", e.Name())
		}
	}
}

func TestAccImage_expectedChecksumAndNode(t *testing.T) {
	kernel := []byte("kernel " + testNodeName())
	ramdisk := []byte("ramdisk " + testNodeName())
	srv := newTestImageServer(t, kernel)
	dir := t.TempDir()
	ramdiskPath := filepath.Join(dir, "deploy.initramfs")
	os.WriteFile(ramdiskPath, ramdisk, 0o644)
	sums := filepath.Join(dir, "SHA256SUMS")
	os.WriteFile(sums, []byte(hexSHA256(ramdisk)+"  deploy.initramfs\n"), 0o644)
	name := testNodeName()
	ironicTest(t, []resource.TestStep{{
		Config: imageConfig(t.TempDir(), fmt.Sprintf(`
resource "baremetal_image" "kernel" {
  url               = "%[1]s/images/deploy.vmlinuz"
  expected_checksum = %[2]q
}
resource "baremetal_image" "ramdisk" {
  url                = "file://%[3]s"
  checksum_algorithm = "sha256"
  expected_checksum  = "file://%[4]s"
}
resource "baremetal_node" "n" {
  name   = %[5]q
  driver = "fake-hardware"
  driver_info = {
    deploy_kernel  = baremetal_image.kernel.url
    deploy_ramdisk = baremetal_image.ramdisk.url
  }
  extra = {
    kernel_checksum = baremetal_image.kernel.checksum
  }
}
`, srv.URL, hexMD5(kernel), ramdiskPath, sums, name)),
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("baremetal_image.kernel", tfjsonpath.New("checksum_algorithm"), knownvalue.StringExact("md5")),
			statecheck.ExpectKnownValue("baremetal_image.ramdisk", tfjsonpath.New("checksum"), knownvalue.StringExact(hexSHA256(ramdisk))),
			statecheck.ExpectKnownValue("baremetal_node.n", tfjsonpath.New("extra").AtMapKey("kernel_checksum"), knownvalue.StringExact(hexMD5(kernel))),
		},
	}}...)
}
