# Repair db1's disks from Ironic's rescue ramdisk, with a password given only for this run:
#
#   TF_VAR_rescue_password="$(pass show rack/rescue)" \
#     terraform apply -invoke=action.baremetal_node_rescue.db1
#
# then log in as `rescue` over db1's network. The attribute is write-only: the password
# reaches Ironic and no state or log. -invoke drops ephemeral values, so this variable is
# sensitive rather than ephemeral: do not save a plan of this invocation (-out), which would
# hold it as it holds every variable. Applies leave the rescued node where it is, with a
# warning, until baremetal_node_unrescue brings it back.
variable "rescue_password" {
  type      = string
  sensitive = true
  default   = null # needed only by the invocation, not by every plan
}

action "baremetal_node_rescue" "db1" {
  config {
    node_id         = "db1"
    rescue_password = var.rescue_password
  }
}
