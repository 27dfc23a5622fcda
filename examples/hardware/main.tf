# A database server's hardware, as code: the disk to install on, a RAID-1 root volume,
# BIOS settings, traits for scheduling, and no automated cleaning between tenants.
#
# raid_config alone only records the target layout. apply_raid_config = true builds it by
# manual cleaning (the plan warns: the data on those disks is destroyed); the deploy
# template below builds it at deploy time instead, for nodes carrying its trait.

terraform {
  required_providers {
    baremetal = {
      source  = "metalform/baremetal"
      version = "~> 0.1"
    }
  }
}

variable "bmc_address" {
  type    = string
  default = "10.4.0.20"
}

variable "bmc_password" {
  type      = string
  sensitive = true
  default   = "change-me"
}

resource "baremetal_deploy_template" "raid1" {
  name = "CUSTOM_RAID1"
  steps = jsonencode([{
    interface = "raid"
    step      = "apply_configuration"
    priority  = 150
    args = {
      raid_config = {
        logical_disks = [{ size_gb = "MAX", raid_level = "1", is_root_volume = true }]
      }
    }
  }])
}

resource "baremetal_node" "db1" {
  name                   = "db1"
  driver                 = "redfish"
  target_provision_state = "available"
  driver_info = {
    redfish_address  = "https://${var.bmc_address}"
    redfish_username = "root"
    redfish_password = var.bmc_password
  }

  traits          = [baremetal_deploy_template.raid1.name, "CUSTOM_DATABASE"]
  automated_clean = false

  root_device = {
    serial = "S3YJNX0K123456"
  }

  raid_config = {
    logical_disks = [{
      size_gb        = "MAX"
      raid_level     = "1"
      is_root_volume = true
    }]
  }
  apply_raid_config = false # built at deploy by the CUSTOM_RAID1 template (see below)

  bios_settings = {
    ProcTurboMode = "Disabled"
  }
}

variable "image_url" {
  type    = string
  default = "http://images.example.com/ubuntu-24.04.qcow2"
}

resource "baremetal_image" "os" {
  url                = var.image_url
  checksum_algorithm = "sha256"
}

# instance_info.traits asks for CUSTOM_RAID1: Ironic runs that template's steps (the
# RAID-1 build) as part of this deploy, then writes the image to the new volume.
resource "baremetal_deployment" "db1" {
  node_id = baremetal_node.db1.id
  instance_info = merge(baremetal_image.os.instance_info, {
    traits = jsonencode([baremetal_deploy_template.raid1.name])
  })
  protected = true # Ironic refuses to undeploy or rebuild it until this is false
}
