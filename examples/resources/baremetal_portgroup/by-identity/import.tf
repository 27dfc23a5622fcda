# Adopt a port group by its identity, its UUID (Terraform 1.12 or later).
import {
  to = baremetal_portgroup.bond0
  identity = {
    id = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
  }
}
