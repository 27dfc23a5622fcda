package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// UpgradeState moves older images to the current version; nothing is fetched and
// nothing planned.
func (r *imageResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return migrationUpgraders(r, []stateMigration{
		// 0 to 1: local_path, the applying machine's cache path, is dropped: a path on one
		// machine made every other machine's plan replace the image.
		noChange,
		// 1 to 2: instance_info, derived from what the state already holds.
		func(attrs map[string]any) {
			url, _ := attrs["url"].(string)
			algo, _ := attrs["checksum_algorithm"].(string)
			sum, _ := attrs["checksum"].(string)
			if url != "" && algo != "" && sum != "" {
				attrs["instance_info"] = ironic.ImageInstanceInfo(url, algo, sum)
			}
		},
		// 2 to 3: manifest_digest (oci:// only; version 2 knew http(s) and file://) and
		// pull_secret_wo (write-only, never stored) read as null; a state written with
		// them by a build before the bump keeps its manifest_digest.
		noChange,
	})
}
