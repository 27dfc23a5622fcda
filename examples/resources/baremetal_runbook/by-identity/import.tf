# Adopt a runbook by its identity, its UUID (Terraform 1.12 or later).
import {
  to = baremetal_runbook.wipe
  identity = {
    id = "3d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f6a"
  }
}
