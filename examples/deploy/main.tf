# Deploy an image onto a node: the image is fetched and checksummed by baremetal_image,
# Ironic gets its URL and checksum, and a new image rebuilds the node.

terraform {
  required_providers {
    baremetal = {
      source = "metalform/baremetal"
    }
  }
}

resource "baremetal_image" "ubuntu" {
  url                = "http://images.example.com/ubuntu-24.04.qcow2"
  checksum_algorithm = "sha256"
  expected_checksum  = "http://images.example.com/SHA256SUMS"
}

data "baremetal_node" "server1" {
  name = "server1"
}

resource "baremetal_node" "server1" {
  name   = "server1"
  driver = "ipmi"
  driver_info = {
    ipmi_address   = "10.4.0.12"
    deploy_kernel  = "http://images.example.com/ipa.kernel"
    deploy_ramdisk = "http://images.example.com/ipa.initramfs"
  }

  target_provision_state = "active"
  target_power_state     = "power on"

  instance_info = {
    image_source       = baremetal_image.ubuntu.url
    image_checksum     = baremetal_image.ubuntu.checksum
    image_os_hash_algo = baremetal_image.ubuntu.checksum_algorithm
    root_gb            = "100"
  }

  config_drive = {
    user_data = <<-EOT
      #cloud-config
      hostname: server1
    EOT
    meta_data = {
      hostname = "server1"
    }
    network_data = jsonencode({
      links    = [{ id = "eth0", type = "phy", ethernet_mac_address = "52:54:00:04:0c:01" }]
      networks = [{ id = "net0", link = "eth0", type = "ipv4_dhcp" }]
    })
  }

  timeouts = {
    create = "90m"
  }
}
