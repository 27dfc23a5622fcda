# What the datacenter fitted into gpu1, as its work order says. Recording a change
# inspects the machine again in the same apply, so its inventory (and the properties
# Ironic schedules on) match the hardware.
resource "terraform_data" "gpu1_hardware" {
  input = {
    work_order = "DC-5521"
    memory     = "1 TiB"
    gpus       = "8 x H200"
  }

  lifecycle {
    action_trigger {
      events  = [after_update]
      actions = [action.baremetal_node_inspect.gpu1]
    }
  }
}

action "baremetal_node_inspect" "gpu1" {
  config {
    node_id = "gpu1"
  }
}
