# An instance image served over HTTP, verified against the published SHA256SUMS.
resource "baremetal_image" "ubuntu" {
  url                = "http://images.example.com/ubuntu-24.04.qcow2"
  checksum_algorithm = "sha256"
  expected_checksum  = "http://images.example.com/SHA256SUMS"
}

# Deploy kernel and ramdisk, as in the enrollment guide: a file:// image must be on a
# file system every Ironic conductor sees.
resource "baremetal_image" "deploy_kernel" {
  url = "file:///images/deploy.vmlinuz"
}

resource "baremetal_image" "deploy_ramdisk" {
  url = "http://my.server.net/images/deploy.ramdisk"
}

resource "baremetal_node" "server1" {
  name   = "server1"
  driver = "ipmi"
  driver_info = {
    ipmi_address   = "ipmi.server.net"
    deploy_kernel  = baremetal_image.deploy_kernel.url
    deploy_ramdisk = baremetal_image.deploy_ramdisk.url
  }
}

# What a deployment needs, in the keys Ironic's direct deploy accepts: here
# { image_source, image_os_hash_algo = "sha256", image_os_hash_value }.
resource "baremetal_deployment" "server1" {
  node_id       = baremetal_node.server1.id
  instance_info = baremetal_image.ubuntu.instance_info
}
