# A node enrolled and made available (a baremetal_node of this configuration, or one
# enrolled elsewhere, looked up by name), and the image published with its SHA256SUMS.
data "baremetal_node" "server1" {
  name = "server1"
}

variable "image_server" {
  type    = string
  default = "http://images.example.com"
}

resource "baremetal_image" "os" {
  url                = "${var.image_server}/ubuntu-24.04.qcow2"
  checksum_algorithm = "sha256"
  expected_checksum  = "${var.image_server}/SHA256SUMS"
}

# What runs on the node: `baremetal node deploy`, and `baremetal node undeploy` on destroy.
resource "baremetal_deployment" "server1" {
  node_id = data.baremetal_node.server1.id

  # image_source with the checksum in the keys Ironic wants for its algorithm
  # (image_os_hash_algo and image_os_hash_value for sha256). With keys of your own:
  # merge(baremetal_image.os.instance_info, { root_gb = "100" }).
  instance_info = baremetal_image.os.instance_info

  # Refuse, at plan time, a change that would overwrite the disk.
  allow_rebuild = false
}
