# Adopt a port by its identity, its UUID (Terraform 1.12 or later).
import {
  to = baremetal_port.server1_eth0
  identity = {
    id = "6f0c2a3e-1b9d-4d8e-9a57-2f3c4d5e6a7b"
  }
}
