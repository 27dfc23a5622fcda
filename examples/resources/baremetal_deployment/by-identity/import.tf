# Adopt what runs on a deployed node by the deployment's identity, the node's UUID
# (Terraform 1.12 or later): nothing is redeployed and nothing in Ironic changes.
import {
  to = baremetal_deployment.server1
  identity = {
    id = "1be26c0b-03f2-4d2e-ae87-c02d7f33c123"
  }
}
