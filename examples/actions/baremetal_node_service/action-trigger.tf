# The database team's tuning runbook. Whenever its steps change, the deployed database
# machines run it in place, in the same apply. (A node's own `runbook` and
# `runbook_version` run it declaratively instead, once per version.)
locals {
  db_tuning = "CUSTOM_DB_TUNING"
}

resource "baremetal_runbook" "db_tuning" {
  name = local.db_tuning
  steps = jsonencode([{
    interface = "bios"
    step      = "apply_configuration"
    args = {
      settings = [
        { name = "ProcTurboMode", value = "Disabled" },
        { name = "LogicalProc", value = "Disabled" },
      ]
    }
    order = 1
  }])

  lifecycle {
    action_trigger {
      events  = [after_update]
      actions = [action.baremetal_node_service.db_tuning["db1"], action.baremetal_node_service.db_tuning["db2"]]
    }
  }
}

# The nodes carry CUSTOM_DB_TUNING among their traits: Ironic runs a runbook only on
# nodes that have its name as a trait.
action "baremetal_node_service" "db_tuning" {
  for_each = toset(["db1", "db2"])
  config {
    node_id = each.key
    runbook = local.db_tuning
  }
}
