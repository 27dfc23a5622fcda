# Manual cleaning of machines at rest (`manageable` or `available`, back where they were):
#
#   terraform apply -invoke=action.baremetal_node_clean.spare1_erase
#   terraform apply -invoke=action.baremetal_node_clean.spare1_burnin
#
# A full erase before spare1 goes to another team: every disk, every block.
action "baremetal_node_clean" "spare1_erase" {
  config {
    node_id = "spare1"
    clean_steps = jsonencode([{
      interface = "deploy"
      step      = "erase_devices"
      args      = {}
    }])
    timeouts = {
      invoke = "6h" # large spinning disks
    }
  }
}

# The burn-in runbook the hardware team approved (spare1 carries its name as a trait).
action "baremetal_node_clean" "spare1_burnin" {
  config {
    node_id = "spare1"
    runbook = "CUSTOM_BURNIN"
  }
}
