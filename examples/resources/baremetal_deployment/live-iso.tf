# An edge machine that runs a live ISO and never writes its disk: Ironic's ramdisk
# deploy interface boots instance_info.boot_iso, here through Redfish virtual media.
variable "edge_bmc_password" {
  type      = string
  ephemeral = true
}

resource "baremetal_node" "edge1" {
  name                   = "edge-1"
  driver                 = "redfish"
  boot_interface         = "redfish-virtual-media" # or ipxe; pxe boots a kernel and ramdisk only
  deploy_interface       = "ramdisk"
  target_provision_state = "available"
  driver_info = {
    redfish_address   = "https://10.0.0.31"
    redfish_system_id = "/redfish/v1/Systems/1"
    redfish_username  = "admin"
  }
  driver_secrets_wo         = { redfish_password = var.edge_bmc_password }
  driver_secrets_wo_version = 1
}

# Fetched and checksummed like any image: Ironic verifies no checksum of a boot_iso.
resource "baremetal_image" "live" {
  url                = "https://images.example.com/edge-appliance-2.1.iso"
  checksum_algorithm = "sha256"
  expected_checksum  = "https://images.example.com/SHA256SUMS"
}

resource "baremetal_deployment" "edge1" {
  node_id = baremetal_node.edge1.id
  # No image_source beside boot_iso (Ironic refuses both); with PXE boot, give
  # { kernel = ..., ramdisk = ... } instead. The plan checks the keys against the
  # node's deploy interface.
  instance_info = { boot_iso = baremetal_image.live.url }
}
