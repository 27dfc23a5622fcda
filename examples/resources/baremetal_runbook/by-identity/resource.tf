# The resource the import block of import.tf adopts (examples-check validates them together).
resource "baremetal_runbook" "wipe" {
  name  = "CUSTOM_WIPE"
  steps = jsonencode([{ interface = "deploy", step = "erase_devices_metadata", order = 1 }])
}
