# A module-style rack: one map of machines, name -> BMC address and NIC MACs, enrolled
# and made available with for_each, as infra repos do it.
#
# For hundreds of machines, put one machine's node and ports in a module and for_each
# the module instead: Terraform evaluates baremetal_node.rack[...] below by building
# every instance of it, a cost that grows with the square of the rack (the README's
# Performance section has the numbers).

terraform {
  required_version = ">= 1.11.0" # write-only attributes and ephemeral variables
  required_providers {
    baremetal = {
      source  = "metalform/baremetal"
      version = "~> 0.1"
    }
  }
}

# Ephemeral: in no plan and no state; Ironic gets it through the write-only
# driver_secrets_wo.
variable "bmc_password" {
  type      = string
  ephemeral = true
}

variable "machines" {
  description = "The rack: name -> Redfish BMC URL (and system, where the BMC has several) and the MAC addresses of its NICs."
  type = map(object({
    bmc_address = string
    system_id   = optional(string, "/redfish/v1/Systems/1")
    macs        = list(string)
  }))
  default = {
    "r4-u12" = { bmc_address = "https://10.4.0.12", macs = ["52:54:00:04:0c:01", "52:54:00:04:0c:02"] }
    "r4-u13" = { bmc_address = "https://10.4.0.13", macs = ["52:54:00:04:0d:01"] }
  }
}

locals {
  # One entry per NIC, keyed "<machine>/<mac>", for the ports' for_each.
  nics = merge([
    for name, m in var.machines : {
      for mac in m.macs : "${name}/${mac}" => { node = name, mac = mac }
    }
  ]...)
}

resource "baremetal_node" "rack" {
  for_each = var.machines

  name           = each.key
  driver         = "redfish"
  resource_class = "baremetal"
  driver_info = {
    redfish_address   = each.value.bmc_address
    redfish_system_id = each.value.system_id
    redfish_username  = "admin"
  }
  driver_secrets_wo         = { redfish_password = var.bmc_password }
  driver_secrets_wo_version = 1
  boot_mode                 = "uefi"
  target_provision_state    = "available"
}

resource "baremetal_port" "rack" {
  for_each = local.nics

  node_id = baremetal_node.rack[each.value.node].id
  address = each.value.mac
}

output "node_ids" {
  value = { for name, n in baremetal_node.rack : name => n.id }
}
