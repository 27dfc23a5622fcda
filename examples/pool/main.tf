# An allocation pool: enroll a rack's worth of identical machines once, then let Ironic
# pick which ones run what. Nothing names hardware: scaling `web_count` up allocates and
# deploys more nodes; scaling it down undeploys them, and they return to the pool.

terraform {
  required_providers {
    baremetal = {
      source  = "metalform/baremetal"
      version = "~> 0.1"
    }
  }
}

variable "bmc_addresses" {
  description = "BMC address of each machine in the pool, by machine name."
  type        = map(string)
  default = {
    r4u10 = "10.4.0.10"
    r4u11 = "10.4.0.11"
    r4u12 = "10.4.0.12"
  }
}

variable "web_count" {
  type    = number
  default = 2
}

resource "baremetal_node" "pool" {
  for_each       = var.bmc_addresses
  name           = each.key
  driver         = "ipmi"
  resource_class = "baremetal-large"
  driver_info = {
    ipmi_address = each.value
  }
  target_provision_state = "available"
}

resource "baremetal_image" "web" {
  url                = "http://images.example.com/web.qcow2"
  checksum_algorithm = "sha256"
  expected_checksum  = "http://images.example.com/SHA256SUMS"
}

resource "baremetal_allocation" "web" {
  count          = var.web_count
  name           = "web-${count.index}"
  resource_class = "baremetal-large"
  depends_on     = [baremetal_node.pool]
}

resource "baremetal_deployment" "web" {
  count         = var.web_count
  node_id       = baremetal_allocation.web[count.index].node_id
  instance_info = baremetal_image.web.instance_info
}

output "web_nodes" {
  value = baremetal_allocation.web[*].node_id
}
