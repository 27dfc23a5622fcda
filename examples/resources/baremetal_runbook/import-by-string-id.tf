# By runbook name (its trait, CUSTOM_...) or UUID.
import {
  to = baremetal_runbook.wipe
  id = "CUSTOM_WIPE_METADATA"
}
