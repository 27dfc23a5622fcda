# Remote hands at the console: recording the ticket boots db1 once into its firmware
# setup screen. The trigger's actions run in order: the boot device first, then the reboot.
resource "terraform_data" "db1_console_ticket" {
  input = "OPS-1187: set the RAID controller of db1 to HBA mode"

  lifecycle {
    action_trigger {
      events = [after_create, after_update]
      actions = [
        action.baremetal_node_boot_device.db1_setup,
        action.baremetal_node_power.db1_setup_reboot,
      ]
    }
  }
}

action "baremetal_node_boot_device" "db1_setup" {
  config {
    node_id     = "db1"
    boot_device = "bios"
  }
}

action "baremetal_node_power" "db1_setup_reboot" {
  config {
    node_id = "db1"
    target  = "soft rebooting"
  }
}
