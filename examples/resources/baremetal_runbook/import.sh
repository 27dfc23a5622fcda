# By runbook name or UUID.
terraform import baremetal_runbook.wipe CUSTOM_WIPE_METADATA
