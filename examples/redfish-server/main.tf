# A new Redfish server, end to end: enrolled with its BMC password write-only, booted by
# virtual media in UEFI mode, a RAID-1 root volume built, its two NICs bonded, made
# available, and deployed from an image published with its SHA256SUMS,
# with a config drive cloud-init reads: the SSH keys, and network_data that brings up
# the bond over the two NICs. See the "A new Redfish server" guide.

terraform {
  required_version = ">= 1.11.0" # write-only attributes and ephemeral variables
  required_providers {
    baremetal = {
      source  = "metalform/baremetal"
      version = "~> 0.1"
    }
  }
}

# The endpoint and credentials come from the environment (BAREMETAL_ENDPOINT, or OS_CLOUD
# and clouds.yaml).
provider "baremetal" {}

variable "name" {
  description = "The server's name in Ironic, and its hostname."
  type        = string
  default     = "rf-db1"
}

variable "bmc_address" {
  description = "The BMC's Redfish service."
  type        = string
  default     = "https://10.4.0.30"
}

variable "bmc_system_id" {
  description = "The server's system in the BMC's Redfish service."
  type        = string
  default     = "/redfish/v1/Systems/1"
}

variable "bmc_username" {
  type    = string
  default = "admin"
}

# Ephemeral: in no plan and no state; Ironic gets it through the write-only
# driver_secrets_wo.
variable "bmc_password" {
  type      = string
  ephemeral = true
}

variable "nics" {
  description = "The server's NICs by interface name, with their MACs: both are bonded (LACP) by the switch."
  type        = map(string)
  default = {
    eth0 = "52:54:00:0a:1e:01"
    eth1 = "52:54:00:0a:1e:02"
  }
}

variable "ssh_keys" {
  description = "SSH public keys for the image's default user, by name."
  type        = map(string)
  default = {
    admin = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG5vdGFyZWFsa2V5 admin@example"
  }
}

variable "raid_controller" {
  description = "The RAID controller, by its Redfish Storage id (GET <system>/Storage)."
  type        = string
  default     = "RAID.Integrated.1-1"
}

variable "root_drives" {
  description = "The two SSDs of the root volume, by their Redfish Drive ids (GET <system>/Storage/<controller>)."
  type        = list(string)
  default     = ["Disk.0", "Disk.1"]
}

variable "image_server" {
  description = "Where the deploy kernel and ramdisk and the instance image are published, with SHA256SUMS."
  type        = string
  default     = "http://images.example.com"
}

resource "baremetal_image" "os" {
  url                = "${var.image_server}/ubuntu-24.04.qcow2"
  checksum_algorithm = "sha256"
  expected_checksum  = "${var.image_server}/SHA256SUMS"
}

resource "baremetal_node" "server" {
  name   = var.name
  driver = "redfish"
  # The agent boots from an ISO Ironic builds and the BMC inserts in its virtual CD: no
  # PXE, no provisioning network.
  boot_interface   = "redfish-virtual-media"
  deploy_interface = "direct"
  raid_interface   = "redfish"
  boot_mode        = "uefi"

  driver_info = {
    redfish_address   = var.bmc_address
    redfish_system_id = var.bmc_system_id
    redfish_username  = var.bmc_username
    deploy_kernel     = "${var.image_server}/deploy.vmlinuz"
    deploy_ramdisk    = "${var.image_server}/deploy.initramfs"
  }
  # Sent to Ironic, never stored: bump the version to send a new password.
  driver_secrets_wo         = { redfish_password = var.bmc_password }
  driver_secrets_wo_version = 1

  # A RAID-1 root volume on the two SSDs, built through the BMC's Redfish storage by
  # manual cleaning before the node becomes available (the plan warns: the data on
  # those disks is destroyed). On a node already deployed, allow_servicing = true
  # builds a changed layout by servicing.
  raid_config = {
    logical_disks = [{
      size_gb        = "450" # GiB; "MAX" counts whole drives, and the controller keeps some for its metadata
      raid_level     = "1"
      controller     = var.raid_controller
      physical_disks = var.root_drives
      is_root_volume = true
    }]
  }
  apply_raid_config = true

  # The disk the image goes to: by size, which the RAID volume (450 GiB) matches,
  # and the 2 TiB data disks do not. A serial or WWN hint would name a drive that
  # disappears into the volume.
  root_device = {
    size = "<= 600"
  }

  target_provision_state = "available"
}

# The bond, and its links: each NIC's port names the group, so that Ironic (and a
# switch driver) knows which ports form it.
resource "baremetal_portgroup" "bond0" {
  node_id = baremetal_node.server.id
  name    = "${var.name}-bond0"
  address = var.nics["eth0"]
  mode    = "802.3ad"
  properties = {
    miimon           = "100"
    xmit_hash_policy = "layer3+4"
  }
}

resource "baremetal_port" "nic" {
  for_each     = var.nics
  node_id      = baremetal_node.server.id
  address      = each.value
  portgroup_id = baremetal_portgroup.bond0.id
}

resource "baremetal_deployment" "server" {
  node_id       = baremetal_node.server.id
  instance_info = baremetal_image.os.instance_info

  # The config drive, in the files cloud-init's OpenStack data source reads.
  config_drive = {
    # meta_data.json: the hostname and public_keys, an object of name to key.
    meta_data = jsonencode({
      hostname    = var.name
      public_keys = var.ssh_keys
    })
    # network_data.json: the physical links with their MACs (cloud-init names them by
    # MAC), then the bond over them, then the network on the bond.
    network_data = jsonencode({
      links = concat(
        [for name, mac in var.nics : { id = name, type = "phy", ethernet_mac_address = mac }],
        [{
          id                    = "bond0"
          type                  = "bond"
          bond_links            = keys(var.nics)
          bond_mode             = "802.3ad"
          bond_miimon           = 100
          bond_xmit_hash_policy = "layer3+4"
          ethernet_mac_address  = var.nics["eth0"]
        }],
      )
      networks = [{ id = "provisioning", link = "bond0", type = "ipv4_dhcp" }]
      services = []
    })
    user_data = <<-EOT
      #cloud-config
      package_update: true
    EOT
  }

  # A production machine: a changed image or config drive is a plan-time error rather
  # than a rebuild that overwrites the disk.
  allow_rebuild = false

  timeouts = {
    create = "90m"
  }

  depends_on = [baremetal_port.nic]
}

output "node_id" {
  value = baremetal_node.server.id
}
