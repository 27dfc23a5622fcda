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

  # image_source with the checksum in the keys Ironic wants for its algorithm
  # (image_os_hash_algo and image_os_hash_value for sha256). With keys of your own:
  # merge(baremetal_image.os.instance_info, { root_gb = "100" }).
  instance_info = baremetal_image.os.instance_info

  # Refuse, at plan time, a change that would overwrite the disk.
  allow_rebuild = false
}
