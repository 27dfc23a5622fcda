# Machines bought second-hand: right after enrollment, the previous owner's partition
# tables, LVM and RAID signatures are wiped so that they cannot confuse a first deploy.
# The node stays in `manageable` afterwards.
locals {
  used_machines = {
    spare7 = "10.4.0.57"
    spare8 = "10.4.0.58"
  }
}

variable "bmc_password" {
  type      = string
  ephemeral = true
}

resource "baremetal_node" "used" {
  for_each = local.used_machines

  name   = each.key
  driver = "redfish"
  driver_info = {
    redfish_address  = "https://${each.value}"
    redfish_username = "root"
  }
  driver_secrets_wo         = { redfish_password = var.bmc_password }
  driver_secrets_wo_version = 1
  target_provision_state    = "manageable"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.baremetal_node_clean.wipe_used[each.key]]
    }
  }
}

action "baremetal_node_clean" "wipe_used" {
  for_each = local.used_machines
  config {
    node_id = each.key
    clean_steps = jsonencode([{
      interface = "deploy"
      step      = "erase_devices_metadata"
      args      = {}
    }])
  }
}
