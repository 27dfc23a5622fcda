# The resource the import block of import.tf adopts (examples-check validates them together).
resource "baremetal_deploy_template" "raid1" {
  name  = "CUSTOM_RAID1"
  steps = jsonencode([{ interface = "raid", step = "apply_configuration", priority = 150, args = {} }])
}
