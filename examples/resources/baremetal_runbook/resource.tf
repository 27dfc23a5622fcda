# A runbook the storage team approves for its nodes: wipe the disk metadata through
# the agent. A node may run it once its traits include the runbook's name.
resource "baremetal_runbook" "wipe" {
  name = "CUSTOM_WIPE_METADATA"
  steps = jsonencode([{
    interface = "deploy"
    step      = "erase_devices_metadata"
    args      = {}
    order     = 1
  }])
}

resource "baremetal_node" "storage1" {
  name   = "storage1"
  driver = "ipmi"
  traits = [baremetal_runbook.wipe.name]
}
