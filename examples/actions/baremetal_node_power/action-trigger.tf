# Kernel arguments for db1's database (huge pages), written over SSH. They take effect at
# the next boot, so the same apply reboots the machine right after they changed (a changed
# value replaces the terraform_data: after_create runs again).
variable "db1_kernel_args" {
  type    = string
  default = "hugepagesz=1G hugepages=64 transparent_hugepage=never"
}

resource "terraform_data" "db1_kernel_args" {
  triggers_replace = var.db1_kernel_args

  connection {
    host = "db1.rack1.example.com"
    user = "ops"
  }
  provisioner "remote-exec" {
    inline = ["sudo grubby --update-kernel=ALL --args='${var.db1_kernel_args}'"]
  }

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.baremetal_node_power.db1_restart]
    }
  }
}

action "baremetal_node_power" "db1_restart" {
  config {
    node_id = "db1"
    target  = "soft rebooting"
    timeout = "10m"
  }
}
