# Adopt a node by its identity, the UUID (Terraform 1.12 or later): typed, and what
# `terraform query -generate-config-out` writes.
import {
  to = baremetal_node.server1
  identity = {
    id = "1be26c0b-03f2-4d2e-ae87-c02d7f33c123"
  }
}
