# Power actions for the rack's machines, each invoked for one machine by name:
#
#   terraform apply -invoke='action.baremetal_node_power.reboot["db1"]'
#
# An invocation runs this one action and changes nothing else (the other resources are
# only refreshed); the plan afterwards is empty.
locals {
  machines = toset(["db1", "db2", "web1"])
}

# An orderly restart: the BMC asks the operating system to reboot (ACPI), and Ironic
# waits up to five minutes for it.
action "baremetal_node_power" "reboot" {
  for_each = local.machines
  config {
    node_id = each.key
    target  = "soft rebooting"
    timeout = "5m"
  }
}

# A machine that hangs: a hard power cycle.
action "baremetal_node_power" "power_cycle" {
  for_each = local.machines
  config {
    node_id = each.key
    target  = "rebooting"
  }
}

# Before work in the rack: shut down cleanly, and power on again afterwards.
action "baremetal_node_power" "shutdown" {
  for_each = local.machines
  config {
    node_id = each.key
    target  = "soft power off"
  }
}

action "baremetal_node_power" "power_on" {
  for_each = local.machines
  config {
    node_id = each.key
    target  = "power on"
  }
}
