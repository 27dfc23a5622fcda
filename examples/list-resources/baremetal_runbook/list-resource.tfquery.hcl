# Every runbook the credentials may see (Ironic 26.1 or later).
list "baremetal_runbook" "all" {
  provider = baremetal
}
