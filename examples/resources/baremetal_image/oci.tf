# An image in an OCI registry, deployed with the registry's pull secret. oci:// images
# need Ironic 29.0 (2025.1, API 1.96) or newer: an older Ironic refuses them at plan time.
variable "registry" {
  description = "The registry's host[:port]."
  type        = string
  default     = "registry.example.com"
}

variable "repository" {
  type    = string
  default = "disks/ubuntu"
}

# user:password, or a bare token. Ephemeral: given with -var or TF_VAR_registry_pull_secret
# at every plan and apply, kept in neither the state nor the plan (Terraform 1.11 or later).
variable "registry_pull_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

# Fetched and verified against its disk-image layer's sha256. Every plan asks the registry
# which manifest the tag names now: a moved tag shows as a replacement of the image, and
# the deployment below as an update that rebuilds the node with the new disk
# (allow_rebuild = false on the deployment refuses that at plan time instead).
resource "baremetal_image" "oci" {
  url            = "oci://${var.registry}/${var.repository}:stable"
  pull_secret_wo = var.registry_pull_secret
}

# A node enrolled and made available, looked up by name.
data "baremetal_node" "server2" {
  name = "server2"
}

resource "baremetal_deployment" "server2" {
  node_id = data.baremetal_node.server2.id

  # image_source is the manifest fetched, by digest (oci://.../disks/ubuntu@sha256:...),
  # with the layer's sha256: Ironic deploys exactly what was verified.
  instance_info = baremetal_image.oci.instance_info

  # Ironic pulls the image with it (and keeps it masked). Write-only, like the image's.
  image_pull_secret_wo = var.registry_pull_secret
}
