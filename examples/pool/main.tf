# An allocation pool: enroll a rack's worth of identical machines once, then let Ironic
# pick which ones run what. Nothing names hardware: scaling `web_count` up allocates and
# deploys more nodes; scaling it down undeploys them, and they return to the pool.

terraform {
  required_version = ">= 1.11.0" # write-only attributes and ephemeral variables
  required_providers {
    baremetal = {
      source  = "metalform/baremetal"
      version = "~> 0.1"
    }
  }
}

variable "machines" {
  description = "The machines of the pool, by name: the Redfish BMC's URL (and system, where the BMC has several) and the NIC's MAC, by which the deploy agent finds its node."
  type = map(object({
    bmc_address = string
    system_id   = optional(string, "/redfish/v1/Systems/1")
    mac         = string
  }))
  default = {
    r4u10 = { bmc_address = "https://10.4.0.10", mac = "52:54:00:04:0a:01" }
    r4u11 = { bmc_address = "https://10.4.0.11", mac = "52:54:00:04:0b:01" }
    r4u12 = { bmc_address = "https://10.4.0.12", mac = "52:54:00:04:0c:01" }
  }
}

variable "bmc_password" {
  type      = string
  ephemeral = true
}

variable "image_server" {
  description = "Where the deploy kernel and ramdisk and the instance image are published, with SHA256SUMS."
  type        = string
  default     = "http://images.example.com"
}

variable "web_count" {
  type    = number
  default = 2
}

resource "baremetal_node" "pool" {
  for_each       = var.machines
  name           = each.key
  driver         = "redfish"
  resource_class = "baremetal-large"
  driver_info = {
    redfish_address   = each.value.bmc_address
    redfish_system_id = each.value.system_id
    redfish_username  = "admin"
    deploy_kernel     = "${var.image_server}/deploy.vmlinuz"
    deploy_ramdisk    = "${var.image_server}/deploy.initramfs"
  }
  driver_secrets_wo         = { redfish_password = var.bmc_password }
  driver_secrets_wo_version = 1
  target_provision_state    = "available"
}

resource "baremetal_port" "pool" {
  for_each = var.machines
  node_id  = baremetal_node.pool[each.key].id
  address  = each.value.mac
}

resource "baremetal_image" "web" {
  url                = "${var.image_server}/web.qcow2"
  checksum_algorithm = "sha256"
  expected_checksum  = "${var.image_server}/SHA256SUMS"
}

resource "baremetal_allocation" "web" {
  count          = var.web_count
  name           = "web-${count.index}"
  resource_class = "baremetal-large"
  depends_on     = [baremetal_port.pool]
}

resource "baremetal_deployment" "web" {
  count         = var.web_count
  node_id       = baremetal_allocation.web[count.index].node_id
  instance_info = baremetal_image.web.instance_info
}

output "web_nodes" {
  value = baremetal_allocation.web[*].node_id
}
