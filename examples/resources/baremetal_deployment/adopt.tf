# A machine installed by hand (or by another tool) that Ironic must take over without
# touching its disk: enrolled and kept manageable, then adopted.
variable "bmc_password" {
  type      = string
  ephemeral = true
}

variable "legacy_db_bmc" {
  type    = string
  default = "https://10.0.0.21"
}

resource "baremetal_node" "legacy_db" {
  name                   = "legacy-db-1"
  driver                 = "redfish"
  target_provision_state = "manageable" # Ironic adopts from manageable only
  driver_info = {
    redfish_address   = var.legacy_db_bmc
    redfish_system_id = "/redfish/v1/Systems/1"
    redfish_username  = "admin"
  }
  driver_secrets_wo         = { redfish_password = var.bmc_password }
  driver_secrets_wo_version = 1
}

resource "baremetal_deployment" "legacy_db" {
  node_id = baremetal_node.legacy_db.id
  # What the machine runs, recorded in Ironic; nothing is downloaded or written.
  instance_info = {
    image_source   = "${var.image_server}/rhel-9.4.qcow2"
    image_checksum = "a3c1f1e9a55a4f1e2a1a0b0e8d1c6f3e"
  }
  adopt         = true
  allow_rebuild = false  # a change of instance_info must never overwrite this disk
  on_destroy    = "keep" # destroying it forgets the deployment; the machine keeps running
}
