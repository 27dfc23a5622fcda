# A repair as a record in the configuration: adding it rescues web1; removing it
# (Terraform 1.16, destroy-time triggers) boots web1 back into its instance.
variable "web1_rescue_password" {
  type      = string
  ephemeral = true
  default   = null
}

resource "terraform_data" "web1_repair" {
  input = "OPS-1203: fsck of web1's /var after a power loss"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.baremetal_node_rescue.web1]
    }
    action_trigger {
      events  = [after_destroy]
      actions = [action.baremetal_node_unrescue.web1]
    }
  }
}

action "baremetal_node_rescue" "web1" {
  config {
    node_id         = "web1"
    rescue_password = var.web1_rescue_password
    timeouts = {
      invoke = "20m"
    }
  }
}

action "baremetal_node_unrescue" "web1" {
  config {
    node_id = "web1"
  }
}
