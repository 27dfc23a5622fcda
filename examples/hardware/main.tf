# A database server's hardware, as code: the disk to install on, a RAID-1 root volume,
# BIOS settings, traits for scheduling, and no automated cleaning between tenants.
#
# raid_config alone only records the target layout. apply_raid_config = true builds it
# (with the BIOS settings) by manual cleaning before the node becomes available: the plan
# warns that the data on those disks is destroyed. A baremetal_deploy_template whose
# steps build it at deploy time is the other way, for nodes carrying its trait.

terraform {
  required_version = ">= 1.11.0" # write-only attributes and ephemeral variables
  required_providers {
    baremetal = {
      source  = "metalform/baremetal"
      version = "~> 0.1"
    }
  }
}

variable "bmc" {
  description = "The server's Redfish BMC: its URL, and the system, where the BMC has several."
  type = object({
    address   = string
    system_id = optional(string, "/redfish/v1/Systems/1")
    username  = optional(string, "root")
  })
  default = { address = "https://10.4.0.20" }
}

variable "bmc_password" {
  type      = string
  ephemeral = true
}

variable "mac" {
  description = "The MAC of the NIC the deploy agent finds its node by."
  type        = string
  default     = "52:54:00:04:14:01"
}

variable "raid_controller" {
  description = "The RAID controller, by its Redfish Storage id (GET <system>/Storage)."
  type        = string
  default     = "RAID.Integrated.1-1"
}

variable "image_server" {
  description = "Where the deploy kernel and ramdisk and the instance image are published, with SHA256SUMS."
  type        = string
  default     = "http://images.example.com"
}

# The RAID-1 volume on the two SSDs: a size, not "MAX" (which counts whole drives; the
# controller keeps part of each for its metadata), on named drives of a named controller.
locals {
  raid1 = {
    logical_disks = [{
      size_gb        = "450"
      raid_level     = "1"
      controller     = var.raid_controller
      physical_disks = ["Disk.0", "Disk.1"]
      is_root_volume = true
    }]
  }
}

resource "baremetal_node" "db1" {
  name                   = "db1"
  driver                 = "redfish"
  boot_interface         = "pxe"
  raid_interface         = "redfish"
  bios_interface         = "redfish"
  target_provision_state = "available"
  driver_info = {
    redfish_address   = var.bmc.address
    redfish_system_id = var.bmc.system_id
    redfish_username  = var.bmc.username
    deploy_kernel     = "${var.image_server}/deploy.vmlinuz"
    deploy_ramdisk    = "${var.image_server}/deploy.initramfs"
  }
  driver_secrets_wo         = { redfish_password = var.bmc_password }
  driver_secrets_wo_version = 1

  traits          = ["CUSTOM_DATABASE"]
  automated_clean = false

  # The disk to install on: the RAID volume, by its size. A serial or WWN hint would
  # name a drive that disappears into the volume.
  root_device = {
    size = "<= 600"
  }

  raid_config       = local.raid1
  apply_raid_config = true

  bios_settings = {
    ProcVirtualization = "Disabled" # no hypervisor on a database server
  }
}

resource "baremetal_port" "db1" {
  node_id = baremetal_node.db1.id
  address = var.mac
}

resource "baremetal_image" "os" {
  url                = "${var.image_server}/ubuntu-24.04.qcow2"
  checksum_algorithm = "sha256"
  expected_checksum  = "${var.image_server}/SHA256SUMS"
}

# The image, written to the RAID volume the root device hint selects.
resource "baremetal_deployment" "db1" {
  node_id       = baremetal_node.db1.id
  instance_info = baremetal_image.os.instance_info
  protected     = true # Ironic refuses to undeploy or rebuild it until this is false

  depends_on = [baremetal_port.db1]
}
