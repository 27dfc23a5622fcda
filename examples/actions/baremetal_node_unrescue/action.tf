# Boot db1 back into its instance once the repair from the rescue ramdisk is done:
#
#   terraform apply -invoke=action.baremetal_node_unrescue.db1
#
# It waits for `active`; a node that is already `active` is left as it is.
action "baremetal_node_unrescue" "db1" {
  config {
    node_id = "db1"
  }
}
