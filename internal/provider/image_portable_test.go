package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

// counted records the image server's requests at a point, to check what came after.
type counted struct{ gets, heads int32 }

func (s *testImageServer) count() counted { return counted{s.gets.Load(), s.heads.Load()} }

// expectProbesOnlySince fails unless the server saw no download and at least one probe since c.
func (s *testImageServer) expectProbesOnlySince(c *counted) resource.TestCheckFunc {
	return func(*terraformState) error {
		now := s.count()
		if now.gets != c.gets {
			return fmt.Errorf("%d downloads on this machine, want none", now.gets-c.gets)
		}
		if now.heads == c.heads {
			return fmt.Errorf("the source was never probed")
		}
		return nil
	}
}

// The same state, planned and applied from "another machine": another HOME and cache
// directory (here one that cannot even be created), then the first machine's copy
// removed and tampered with. Every plan is empty, probes the source and downloads
// nothing; the apply changes nothing.
func TestAccImage_samePlanFromAnyMachine(t *testing.T) {
	skipUnlessAcceptance(t)
	body := []byte("portable image " + testNodeName())
	srv := newTestImageServer(t, body)
	first := t.TempDir()
	t.Setenv("HOME", filepath.Join(first, "home"))
	t.Setenv("XDG_CACHE_HOME", filepath.Join(first, "cache"))
	cfg := providerBlock + fmt.Sprintf(`
resource "baremetal_image" "os" {
  url = "%s/images/os.qcow2"
}
resource "terraform_data" "deployed_from" {
  input = baremetal_image.os.checksum
}
`, srv.URL)
	var mark counted
	elsewhere := func() {
		other := t.TempDir()
		blocker := filepath.Join(other, "not-a-directory")
		os.WriteFile(blocker, nil, 0o600)
		os.Setenv("HOME", filepath.Join(other, "home"))
		os.Setenv("XDG_CACHE_HOME", filepath.Join(blocker, "cache")) // cannot be created
		mark = srv.count()
	}
	emptyPlan := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cfg,
			Check:  checkCachedCopy(filepath.Join(first, "cache", "terraform-provider-baremetal", "images"), body),
		}, {
			PreConfig: elsewhere, Config: cfg, PlanOnly: true,
		}, {
			PreConfig: func() {
				if err := srv.expectProbesOnlySince(&mark)(nil); err != nil {
					t.Errorf("plan-only step: %s", err)
				}
				elsewhere()
			},
			Config: cfg, ConfigPlanChecks: emptyPlan,
			Check: srv.expectProbesOnlySince(&mark),
		}, {
			// Back on the first machine, whose copy is gone or altered: still nothing to do.
			PreConfig: func() {
				os.Setenv("XDG_CACHE_HOME", filepath.Join(first, "cache"))
				files, _ := filepath.Glob(filepath.Join(first, "cache", "terraform-provider-baremetal", "images", "*.img"))
				for i, f := range files {
					if i%2 == 0 {
						os.WriteFile(f, []byte("tampered"), 0o600)
					} else {
						os.Remove(f)
					}
				}
				mark = srv.count()
			},
			Config: cfg, ConfigPlanChecks: emptyPlan,
			Check: srv.expectProbesOnlySince(&mark),
		}},
	})
}

// Two resources (standing in for two configurations or workspaces) fetch the same URL;
// destroying one leaves the other's plan empty and the shared copy in place, so a third
// fetch of that URL downloads nothing.
func TestAccImage_sharedURLSurvivesDestroy(t *testing.T) {
	body := []byte("shared image " + testNodeName())
	srv := newTestImageServer(t, body)
	cache := t.TempDir()
	image := func(names ...string) string {
		out := ""
		for _, n := range names {
			out += fmt.Sprintf("resource \"baremetal_image\" %q {\n  url = \"%s/images/shared.img\"\n}\n", n, srv.URL)
		}
		return imageConfig(cache, out)
	}
	gets := srv.expectGets
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: image("a", "b"),
			Check:  resource.ComposeTestCheckFunc(gets(1), checkCachedCopy(cache, body)),
		}, {
			Config: image("a"), // b destroyed
			Check:  resource.ComposeTestCheckFunc(gets(1), checkCachedCopy(cache, body)),
		}, {
			Config:           image("a"),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		}, {
			Config: image("a", "c"), // a new user of the URL: served from the shared copy
			Check:  gets(1),
		}},
	})
}

// An image server that stops answering during a plan: the probe gives up after the
// request timeout (and one retry) and the plan keeps the image, with a warning.
func TestAccImage_silentSourceKeepsTheImage(t *testing.T) {
	body := []byte("image " + testNodeName())
	srv := newTestImageServer(t, body)
	cfg := fmt.Sprintf(`
provider "baremetal" {
  image_cache_dir = %q
  request_timeout = "1s"
}
resource "baremetal_image" "x" {
  url = "%s/images/x.img"
}
`, t.TempDir(), srv.URL)
	var start time.Time
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cfg,
		}, {
			PreConfig: func() { srv.hang.Store(true); start = time.Now() },
			Config:    cfg,
			PlanOnly:  true, // an error would fail the step, a replacement too: the image stays
		}, {
			PreConfig: func() {
				srv.hang.Store(false)
				// Each plan: 1 s, one retry, 1 s; the step ran a few plans.
				if took := time.Since(start); took > 30*time.Second {
					t.Errorf("plans against a silent source took %s", took)
				}
			},
			Config:           cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		}},
	})
}
