# Ask Ironic for any available node of a resource class, then deploy on it.
resource "baremetal_allocation" "web" {
  count          = 2
  name           = "web-${count.index}"
  resource_class = "baremetal-large"
  traits         = ["CUSTOM_RAID1"]
}

resource "baremetal_deployment" "web" {
  count   = 2
  node_id = baremetal_allocation.web[count.index].node_id
  instance_info = {
    image_source   = "http://images.example.com/web.qcow2"
    image_checksum = "d41d8cd98f00b204e9800998ecf8427e"
  }
}
