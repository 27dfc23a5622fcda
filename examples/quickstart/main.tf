# Quickstart: the Ironic enrollment guide, as Terraform.
#
#   baremetal node create --driver ipmi --driver-info ipmi_address=... \
#       --driver-info deploy_kernel=... --driver-info deploy_ramdisk=...
#   baremetal port create $MAC_ADDRESS --node $NODE_UUID
#   md5sum image.qcow2
#
# `make demo` runs it against a private Ironic and a local image server, deploying through
# Ironic's direct deploy interface (as ipmi and redfish do) to the demo's stand-in for the
# machine and its agent. Against real hardware, set driver = "ipmi" and the BMC's
# address and password.

terraform {
  required_providers {
    baremetal = {
      source  = "metalform/baremetal"
      version = "~> 0.1"
    }
  }
}

provider "baremetal" {
  # endpoint comes from BAREMETAL_ENDPOINT, for example http://127.0.0.1:6385
}

variable "image_server" {
  description = "Base URL of the server holding the deploy and instance images."
  type        = string
  default     = "http://127.0.0.1:8080"
}

variable "driver" {
  description = "Hardware type: ipmi for a real server; manual-management (PXE boot, direct deploy, the power of the demo's stand-in machine) for the demo."
  type        = string
  default     = "manual-management"
}

variable "ipmi_password" {
  type      = string
  sensitive = true
  default   = "pass"
}

variable "mac_address" {
  type    = string
  default = "52:54:00:12:34:56"
}

# The deploy kernel and ramdisk Ironic boots to deploy the node.
resource "baremetal_image" "deploy_kernel" {
  url = "${var.image_server}/deploy.vmlinuz"
}

resource "baremetal_image" "deploy_ramdisk" {
  url = "${var.image_server}/deploy.initramfs"
}

# The instance image, verified against the server's SHA256SUMS before Ironic sees it.
resource "baremetal_image" "os" {
  url                = "${var.image_server}/os.qcow2"
  checksum_algorithm = "sha256"
  expected_checksum  = "${var.image_server}/SHA256SUMS"
}

resource "baremetal_node" "server1" {
  name   = "server1"
  driver = var.driver

  driver_info = {
    ipmi_address   = "ipmi.server.net"
    ipmi_username  = "user"
    ipmi_password  = var.ipmi_password
    deploy_kernel  = baremetal_image.deploy_kernel.url
    deploy_ramdisk = baremetal_image.deploy_ramdisk.url
  }

  properties = {
    cpu_arch     = "x86_64"
    capabilities = "boot_mode:uefi"
  }

  # The machine is made ready for deploying; what runs on it is the deployment's.
  target_provision_state = "available"
}

resource "baremetal_port" "server1_nic" {
  node_id = baremetal_node.server1.id
  address = var.mac_address
}

# What runs on the machine. A failed deploy costs only this resource: the node, its
# UUID and its port stay. A new image rebuilds the node in place (the plan says so).
resource "baremetal_deployment" "server1" {
  node_id = baremetal_node.server1.id
  # The image's URL and sha256, in the keys Ironic's direct deploy wants.
  instance_info = baremetal_image.os.instance_info
  # The agent finds its node by this port's MAC.
  depends_on = [baremetal_port.server1_nic]
}

output "node_id" {
  value = baremetal_node.server1.id
}

output "provision_state" {
  value = baremetal_deployment.server1.provision_state
}

output "os_image_sha256" {
  value = baremetal_image.os.checksum
}

output "deploy_kernel_md5" {
  value = baremetal_image.deploy_kernel.checksum
}
