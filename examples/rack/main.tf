# A module-style rack: one map of machines, name -> BMC address and NIC MACs, enrolled
# and made available with for_each, as infra repos do it.

terraform {
  required_providers {
    baremetal = {
      source  = "metalform/baremetal"
      version = "~> 0.1"
    }
  }
}

variable "bmc_password" {
  type      = string
  sensitive = true
}

variable "machines" {
  description = "The rack: name -> BMC address and the MAC addresses of its NICs."
  type = map(object({
    bmc_address = string
    macs        = list(string)
  }))
  default = {
    "r4-u12" = { bmc_address = "10.4.0.12", macs = ["52:54:00:04:0c:01", "52:54:00:04:0c:02"] }
    "r4-u13" = { bmc_address = "10.4.0.13", macs = ["52:54:00:04:0d:01"] }
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
  driver         = "ipmi"
  resource_class = "baremetal"
  driver_info = {
    ipmi_address  = each.value.bmc_address
    ipmi_username = "admin"
    ipmi_password = var.bmc_password
  }
  properties = {
    capabilities = "boot_mode:uefi"
  }
  target_provision_state = "available"
}

resource "baremetal_port" "rack" {
  for_each = local.nics

  node_id = baremetal_node.rack[each.value.node].id
  address = each.value.mac
}

output "node_ids" {
  value = { for name, n in baremetal_node.rack : name => n.id }
}
