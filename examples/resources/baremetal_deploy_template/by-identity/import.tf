# Adopt a deploy template by its identity, its UUID (Terraform 1.12 or later).
import {
  to = baremetal_deploy_template.raid1
  identity = {
    id = "4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b"
  }
}
