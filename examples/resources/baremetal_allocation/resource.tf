# Ask Ironic for any available node of a resource class, then deploy on it.
resource "baremetal_allocation" "web" {
  count          = 2
  name           = "web-${count.index}"
  resource_class = "baremetal-large"
  traits         = ["CUSTOM_RAID1"]
}

variable "image_server" {
  type    = string
  default = "http://images.example.com"
}

resource "baremetal_image" "web" {
  url                = "${var.image_server}/web.qcow2"
  checksum_algorithm = "sha256"
  expected_checksum  = "${var.image_server}/SHA256SUMS"
}

resource "baremetal_deployment" "web" {
  count         = 2
  node_id       = baremetal_allocation.web[count.index].node_id
  instance_info = baremetal_image.web.instance_info
}
