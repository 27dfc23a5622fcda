package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// A CLI feature that some tests need, and the first releases that have it. Tests of such a
// feature skip, saying why, on a CLI without it: skipUnlessCLIHas(t, cliActions) first in
// the test, or cliHas(cliActions) in a TestCase's or TestStep's TerraformVersionChecks.
// Not tfversion.SkipBelow alone: OpenTofu reports its own version (1.12.6) as Terraform's,
// so a version check lets through any OpenTofu numbered above the Terraform that brought
// the feature, whether it has it or not.
type cliFeature struct {
	name      string // as the skip message says it
	terraform string // the first Terraform release that has it
	opentofu  string // the first OpenTofu release that has it; "" while none has
}

var (
	// Action blocks, `apply -invoke=action.T.N` and lifecycle action_trigger (1.14.0 ran
	// after_* triggers out of order; fixed in 1.14.1). OpenTofu: opentofu#3309.
	cliActions = cliFeature{name: "actions", terraform: "1.14.1"}
	// List resources, .tfquery.hcl files and `terraform query` (-generate-config-out
	// included). OpenTofu: opentofu#3787.
	cliQuery = cliFeature{name: "list resources and terraform query", terraform: "1.14.1"}
	// Write-only attributes (driver_secrets_wo) and ephemeral variables (1.10).
	cliWriteOnly = cliFeature{name: "write-only attributes", terraform: "1.11.0", opentofu: "1.11.0"}
	// Import blocks by identity (identity = { ... }): Terraform 1.12, OpenTofu 1.12.
	cliIdentity = cliFeature{name: "import blocks by identity", terraform: "1.12.0", opentofu: "1.12.0"}
	// before_destroy and after_destroy action triggers, on_failure, -invoke with -target.
	cliDestroyActionTriggers = cliFeature{name: "destroy-time action triggers", terraform: "1.16.0"}
)

// cliLacks says why the CLI named cli ("Terraform" or "OpenTofu") at version v lacks f, or
// "" if it has it. Prereleases count as their release, as tfversion's checks count them.
func cliLacks(f cliFeature, cli string, v *version.Version) string {
	first := f.terraform
	if cli == "OpenTofu" {
		first = f.opentofu
	}
	if first == "" {
		return fmt.Sprintf("%s: no %s release has them (this is %s %s)", f.name, cli, cli, v)
	}
	if v.Core().LessThan(version.Must(version.NewVersion(first))) {
		return fmt.Sprintf("%s: need %s %s or later (this is %s %s)", f.name, cli, first, cli, v)
	}
	return ""
}

// cliUnderTest is the name and version of the CLI the acceptance tests run
// (TF_ACC_TERRAFORM_PATH, which setUpCLI sets), read once.
var cliUnderTest = sync.OnceValues(func() (cliVersion, error) {
	path := os.Getenv("TF_ACC_TERRAFORM_PATH")
	out, err := exec.Command(path, "version").Output()
	if err != nil {
		return cliVersion{}, fmt.Errorf("%s version: %v", path, err)
	}
	return parseCLIVersion(string(out))
})

type cliVersion struct {
	name    string
	version *version.Version
}

// The first line of `terraform version` or `tofu version` (a warning about the CLI
// configuration may come before it).
var cliVersionLine = regexp.MustCompile(`(?m)^(Terraform|OpenTofu) v(\S+)$`)

func parseCLIVersion(out string) (cliVersion, error) {
	m := cliVersionLine.FindStringSubmatch(out)
	if m == nil {
		return cliVersion{}, fmt.Errorf("no version in the CLI's output: %q", out)
	}
	v, err := version.NewVersion(m[2])
	if err != nil {
		return cliVersion{}, err
	}
	return cliVersion{name: m[1], version: v}, nil
}

// skipUnlessCLIHas skips t, with the reason, when the CLI under test lacks f (and, as
// every acceptance test, without TF_ACC).
func skipUnlessCLIHas(t *testing.T, f cliFeature) {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("Acceptance tests skipped unless env '%s' set", resource.EnvTfAcc)
	}
	cli, err := cliUnderTest()
	if err != nil {
		t.Fatal(err)
	}
	if why := cliLacks(f, cli.name, cli.version); why != "" {
		t.Skip(why)
	}
}

// cliHas is skipUnlessCLIHas as a tfversion.TerraformVersionCheck.
func cliHas(f cliFeature) tfversion.TerraformVersionCheck { return cliCheck(f) }

type cliCheck cliFeature

func (c cliCheck) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	cli, err := cliUnderTest()
	if err != nil {
		resp.Error = err
		return
	}
	resp.Skip = cliLacks(cliFeature(c), cli.name, req.TerraformVersion)
}

func TestCLILacks(t *testing.T) {
	for _, c := range []struct {
		f        cliFeature
		cli, v   string
		wantSkip string
	}{
		{cliActions, "Terraform", "1.16.2", ""},
		{cliActions, "Terraform", "1.14.1", ""},
		{cliActions, "Terraform", "1.15.0-rc1", ""},
		{cliActions, "Terraform", "1.14.0", "actions: need Terraform 1.14.1 or later (this is Terraform 1.14.0)"},
		{cliActions, "Terraform", "1.11.4", "actions: need Terraform 1.14.1 or later (this is Terraform 1.11.4)"},
		{cliActions, "OpenTofu", "1.12.6", "actions: no OpenTofu release has them (this is OpenTofu 1.12.6)"},
		// An OpenTofu numbered past Terraform's 1.14 still has no actions.
		{cliActions, "OpenTofu", "1.15.0", "actions: no OpenTofu release has them (this is OpenTofu 1.15.0)"},
		{cliQuery, "Terraform", "1.14.1", ""},
		{cliQuery, "OpenTofu", "1.12.6", "list resources and terraform query: no OpenTofu release has them (this is OpenTofu 1.12.6)"},
		{cliDestroyActionTriggers, "Terraform", "1.16.0", ""},
		{cliDestroyActionTriggers, "Terraform", "1.15.9", "destroy-time action triggers: need Terraform 1.16.0 or later (this is Terraform 1.15.9)"},
	} {
		if got := cliLacks(c.f, c.cli, version.Must(version.NewVersion(c.v))); got != c.wantSkip {
			t.Errorf("%s %s, %s: %q, want %q", c.cli, c.v, c.f.name, got, c.wantSkip)
		}
	}
}

func TestParseCLIVersion(t *testing.T) {
	for out, want := range map[string]string{
		"Terraform v1.16.2\non linux_amd64\n": "Terraform 1.16.2",
		"Terraform v1.11.4\non linux_amd64\n": "Terraform 1.11.4",
		"There are some problems with the CLI configuration:\n│ Warning: ...\n\nOpenTofu v1.12.6\non linux_amd64\n": "OpenTofu 1.12.6",
	} {
		got, err := parseCLIVersion(out)
		if err != nil || got.name+" "+got.version.String() != want {
			t.Errorf("%q: %v %v, want %s", out, got, err, want)
		}
	}
	if _, err := parseCLIVersion("terraform: command not found\n"); err == nil {
		t.Error("no version line, no error")
	}
}

// The CLI features a test needs decide where it runs: these two run only on a CLI that
// reads action blocks (Terraform 1.14.1 or later) and skip, saying why, on Terraform 1.11.4
// and OpenTofu 1.12.6, which fail such a configuration with "Unsupported block type".
// A CLI that reads it asks the provider for the action's schema; the built-in provider
// has no actions, so the run still fails, on that.
const actionBlockConfig = `
action "terraform_none" "probe" {}
`

var askedForActionSchema = regexp.MustCompile(`does not have an action schema for terraform_none`)

func TestAccCLIFeatures_skipUnlessCLIHas(t *testing.T) {
	skipUnlessCLIHas(t, cliActions)
	dir := t.TempDir()
	rc := dir + "/terraform.rc"
	if err := os.WriteFile(rc, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/main.tf", []byte(actionBlockConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code := runCLI(dir, rc, nil, "validate")
	if code == 0 || !askedForActionSchema.MatchString(out) || strings.Contains(out, "Unsupported block type") {
		t.Fatalf("terraform validate of an action block: exit %d\n%s", code, out)
	}
}

func TestAccCLIFeatures_cliHas(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{cliHas(cliActions)},
		Steps:                    []resource.TestStep{{Config: actionBlockConfig, ExpectError: askedForActionSchema}},
	})
}
