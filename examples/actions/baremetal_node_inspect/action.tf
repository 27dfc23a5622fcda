# Inspect the spare machines again after a hardware change (more memory, new disks):
#
#   terraform apply -invoke='action.baremetal_node_inspect.spare["spare3"]'
#
# A node in `manageable` stays there; an `available` one passes through `manageable` and
# is provided again. The next plan's baremetal_node_inventory data sources read what it found.
action "baremetal_node_inspect" "spare" {
  for_each = toset(["spare1", "spare2", "spare3"])
  config {
    node_id = each.key
    timeouts = {
      invoke = "45m" # machines with many disks take long to boot the agent
    }
  }
}

