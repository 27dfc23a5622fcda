# Adopting every node Ironic already holds: run the steps in the "Adopting a whole fleet"
# guide in this directory. Nothing in Ironic is changed by any of them.
terraform {
  required_version = ">= 1.5.0" # import blocks and -generate-config-out
  required_providers {
    baremetal = { source = "metalform/baremetal", version = "~> 0.1" }
  }
}

# The endpoint and credentials come from the environment (BAREMETAL_ENDPOINT, or OS_CLOUD
# and clouds.yaml), as for every other command against this Ironic.
provider "baremetal" {}
