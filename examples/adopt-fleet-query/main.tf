# The provider, in the directory that adopts the rack with `terraform query` (Terraform
# 1.14.1 or later: list resources and .tfquery.hcl files).
terraform {
  required_providers {
    baremetal = { source = "metalform/baremetal", version = "~> 0.1" }
  }
}

# The endpoint and credentials come from the environment (BAREMETAL_ENDPOINT, or OS_CLOUD
# and clouds.yaml). To list every node, the credentials must be system-scoped: see the
# guide.
provider "baremetal" {}
