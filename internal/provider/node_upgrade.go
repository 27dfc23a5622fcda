package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// UpgradeState moves an older node state to the current version, through one frozen
// migration per version (migrationUpgraders).
func (r *nodeResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return migrationUpgraders(r, []stateMigration{
		// 0 to 1: deploying left the node for baremetal_deployment (its attributes are
		// dropped; Ironic keeps the node deployed: import it as a deployment to manage what
		// runs on it), and a target of active becomes available, which leaves a deployed
		// node as it is.
		func(attrs map[string]any) {
			if attrs["target_provision_state"] == ironic.StateActive {
				attrs["target_provision_state"] = ironic.StateAvailable
			}
		},
		// 1 to 2: the hardware attributes, null (the next refresh reads them from Ironic)
		// but for the two with a default, which Ironic does not report.
		func(attrs map[string]any) {
			defaultIfMissing(attrs, "apply_raid_config", false)
			defaultIfMissing(attrs, "retired", false)
		},
		// 2 to 3: the write-only secrets and their version, null as a state holds them.
		noChange,
		// 3 to 4: maintenance lost its default (unset is now Ironic's or an operator's;
		// the recorded value stays), and force_delete came, false unless set.
		func(attrs map[string]any) { defaultIfMissing(attrs, "force_delete", false) },
		// 4 to 5: allow_servicing came, false unless set.
		func(attrs map[string]any) { defaultIfMissing(attrs, "allow_servicing", false) },
		// 5 to 6: each firmware_updates entry got version, null (not checked) as a state
		// without it reads.
		noChange,
		// 6 to 7: boot_mode and secure_boot, null until the next refresh reads them from
		// Ironic; unset in the configuration, they then plan no change.
		noChange,
	})
}
