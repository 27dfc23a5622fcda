# Deploy an image onto a node: the image is fetched and checksummed by baremetal_image,
# Ironic gets its URL and checksum, and a new image rebuilds the node in place. The
# node (the machine) and the deployment (what runs on it) are separate resources, so a
# failed deploy never costs the enrollment.

terraform {
  required_version = ">= 1.11.0" # write-only attributes and ephemeral variables
  required_providers {
    baremetal = {
      source  = "metalform/baremetal"
      version = "~> 0.1"
    }
  }
}

variable "image_server" {
  description = "Where the deploy kernel and ramdisk and the instance image are published, with SHA256SUMS."
  type        = string
  default     = "http://images.example.com"
}

variable "bmc" {
  description = "The server's Redfish BMC: its URL, and the system, where the BMC has several."
  type = object({
    address   = string
    system_id = optional(string, "/redfish/v1/Systems/1")
    username  = optional(string, "admin")
  })
  default = { address = "https://10.4.0.12" }
}

variable "bmc_password" {
  type      = string
  ephemeral = true
}

variable "macs" {
  description = "The MACs of the two NICs the bond joins."
  type        = list(string)
  default     = ["52:54:00:04:0c:01", "52:54:00:04:0c:02"]
}

resource "baremetal_image" "ubuntu" {
  url                = "${var.image_server}/ubuntu-24.04.qcow2"
  checksum_algorithm = "sha256"
  expected_checksum  = "${var.image_server}/SHA256SUMS"
}

resource "baremetal_node" "server1" {
  name   = "server1"
  driver = "redfish"
  driver_info = {
    redfish_address   = var.bmc.address
    redfish_system_id = var.bmc.system_id
    redfish_username  = var.bmc.username
    deploy_kernel     = "${var.image_server}/deploy.vmlinuz"
    deploy_ramdisk    = "${var.image_server}/deploy.initramfs"
  }
  driver_secrets_wo         = { redfish_password = var.bmc_password }
  driver_secrets_wo_version = 1

  target_provision_state = "available"
}

resource "baremetal_portgroup" "bond0" {
  node_id    = baremetal_node.server1.id
  name       = "server1-bond0"
  mode       = "802.3ad"
  properties = { miimon = "100" }
}

resource "baremetal_port" "nic" {
  for_each     = toset(var.macs)
  node_id      = baremetal_node.server1.id
  address      = each.key
  portgroup_id = baremetal_portgroup.bond0.id
}

resource "baremetal_deployment" "server1" {
  node_id = baremetal_node.server1.id

  # The image's keys (URL and checksum, in the form Ironic wants for its algorithm),
  # with keys of this deployment's own.
  instance_info = merge(baremetal_image.ubuntu.instance_info, {
    root_gb = "100"
  })

  config_drive = {
    user_data = <<-EOT
      #cloud-config
      hostname: server1
    EOT
    meta_data = jsonencode({
      hostname    = "server1"
      public_keys = { admin = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG5vdGFyZWFsa2V5 admin@example" }
    })
    # The physical links with their MACs, then the bond over them.
    network_data = jsonencode({
      links = [
        { id = "eth0", type = "phy", ethernet_mac_address = var.macs[0] },
        { id = "eth1", type = "phy", ethernet_mac_address = var.macs[1] },
        { id = "bond0", type = "bond", bond_links = ["eth0", "eth1"], bond_mode = "802.3ad", ethernet_mac_address = var.macs[0] },
      ]
      networks = [{ id = "net0", link = "bond0", type = "ipv4_dhcp" }]
    })
  }

  # A production machine: a changed image or config drive is a plan-time error instead
  # of an in-place rebuild that overwrites the disk.
  allow_rebuild = false

  timeouts = {
    create = "90m"
  }

  depends_on = [baremetal_port.nic]
}
