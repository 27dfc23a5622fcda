# Where the images are published: an HTTP server, and a directory every Ironic
# conductor sees.
variable "image_server" {
  type    = string
  default = "http://images.example.com"
}

variable "deploy_image_dir" {
  description = "A directory below Ironic's file_url_allowed_paths (by default /var/lib/ironic, ...), on every conductor and on the machine that runs Terraform."
  type        = string
  default     = "/var/lib/ironic/images"
}

# An instance image served over HTTP, verified against the published SHA256SUMS.
resource "baremetal_image" "ubuntu" {
  url                = "${var.image_server}/ubuntu-24.04.qcow2"
  checksum_algorithm = "sha256"
  expected_checksum  = "${var.image_server}/SHA256SUMS"
}

# Deploy kernel and ramdisk, as in the enrollment guide: a file:// image must be on a
# file system every Ironic conductor sees, below its file_url_allowed_paths.
resource "baremetal_image" "deploy_kernel" {
  url = "file://${var.deploy_image_dir}/deploy.vmlinuz"
}

resource "baremetal_image" "deploy_ramdisk" {
  url = "${var.image_server}/deploy.ramdisk"
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
# { image_source, image_os_hash_algo = "sha256", image_os_hash_value }. Use it as
# instance_info = baremetal_image.ubuntu.instance_info (see baremetal_deployment).
output "ubuntu_instance_info" {
  value = baremetal_image.ubuntu.instance_info
}
