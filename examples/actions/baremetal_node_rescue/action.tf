# Repair db1's disks from Ironic's rescue ramdisk, with a password given only for this run:
#
#   TF_VAR_rescue_password="$(pass show rack/rescue)" \
#     terraform apply -invoke=action.baremetal_node_rescue.db1
#
# then log in as `rescue` over db1's network. The password is ephemeral and the attribute
# write-only: it reaches Ironic and nothing else (no plan, state or log). Applies leave
# the rescued node where it is, with a warning, until baremetal_node_unrescue brings it back.
variable "rescue_password" {
  type      = string
  ephemeral = true
  default   = null # needed only by the invocation, not by every plan
}

action "baremetal_node_rescue" "db1" {
  config {
    node_id         = "db1"
    rescue_password = var.rescue_password
  }
}
