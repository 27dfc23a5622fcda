# Nodes whose traits include CUSTOM_RAID1 get a mirrored root volume at deploy time.
resource "baremetal_deploy_template" "raid1" {
  name = "CUSTOM_RAID1"
  steps = jsonencode([{
    interface = "raid"
    step      = "apply_configuration"
    priority  = 150
    args = {
      raid_config = {
        logical_disks = [{ size_gb = "MAX", raid_level = "1", is_root_volume = true }]
      }
    }
  }])
}
