resource "baremetal_node" "server1" {
  name                   = "server1"
  driver                 = "ipmi"
  target_provision_state = "available"
}

resource "baremetal_image" "os" {
  url                = "http://images.example.com/ubuntu-24.04.qcow2"
  checksum_algorithm = "sha256"
  expected_checksum  = "http://images.example.com/SHA256SUMS"
}

# What runs on the node: `baremetal node deploy`, and `baremetal node undeploy` on destroy.
resource "baremetal_deployment" "server1" {
  node_id = baremetal_node.server1.id

  instance_info = {
    image_source       = baremetal_image.os.url
    image_checksum     = baremetal_image.os.checksum
    image_os_hash_algo = baremetal_image.os.checksum_algorithm
  }

  # Refuse, at plan time, a change that would overwrite the disk.
  allow_rebuild = false
}
