// Package devtools serves the project's own commands and tests (demo, bench, the
// real-CLI tests): building the provider and pointing a private Terraform CLI config at
// it, so that nobody's own ~/.terraformrc is touched.
package devtools

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// RepoRoot is the directory holding go.mod, found upwards from the working directory.
func RepoRoot() string {
	dir, _ := os.Getwd()
	for d := dir; d != filepath.Dir(d); d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
	}
	return dir
}

// InstallProvider builds the provider into dir/bin and writes dir/terraform.rc with a
// dev_overrides block for it; point TF_CLI_CONFIG_FILE at the returned path. buildFlags
// go to go build (the bench passes -tags pprof).
func InstallProvider(ctx context.Context, dir string, buildFlags ...string) (string, error) {
	bin := filepath.Join(dir, "bin")
	args := append(append([]string{"build"}, buildFlags...), "-o", filepath.Join(bin, "terraform-provider-baremetal"), ".")
	build := exec.CommandContext(ctx, "go", args...)
	build.Dir = RepoRoot()
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the provider: %v\n%s", err, out)
	}
	rc := filepath.Join(dir, "terraform.rc")
	text := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"metalform/baremetal\" = %q\n  }\n  direct {}\n}\n", bin)
	return rc, os.WriteFile(rc, []byte(text), 0o600)
}
