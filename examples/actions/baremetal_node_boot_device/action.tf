# Hand db1 to the network installer once, then give it back its disk:
#
#   terraform apply -invoke=action.baremetal_node_boot_device.db1_pxe_once
#   terraform apply -invoke=action.baremetal_node_power.db1_cycle
#   ...
#   terraform apply -invoke=action.baremetal_node_boot_device.db1_disk
#
# Setting the boot device does not reboot the machine; Terraform invokes one action at a
# time, so the reboot is a second invocation (or both run from one trigger, below).
action "baremetal_node_boot_device" "db1_pxe_once" {
  config {
    node_id     = "db1"
    boot_device = "pxe" # the next boot only
  }
}

action "baremetal_node_boot_device" "db1_disk" {
  config {
    node_id     = "db1"
    boot_device = "disk"
    persistent  = true # every boot from now on
  }
}

action "baremetal_node_power" "db1_cycle" {
  config {
    node_id = "db1"
    target  = "rebooting"
  }
}
