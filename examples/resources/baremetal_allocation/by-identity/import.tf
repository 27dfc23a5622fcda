# Adopt an allocation by its identity, its UUID (Terraform 1.12 or later).
import {
  to = baremetal_allocation.web
  identity = {
    id = "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"
  }
}
