# Deploy an image onto a node: the image is fetched and checksummed by baremetal_image,
# Ironic gets its URL and checksum, and a new image rebuilds the node in place. The
# node (the machine) and the deployment (what runs on it) are separate resources, so a
# failed deploy never costs the enrollment.

terraform {
  required_providers {
    baremetal = {
      source  = "metalform/baremetal"
      version = "~> 0.1"
    }
  }
}

resource "baremetal_image" "ubuntu" {
  url                = "http://images.example.com/ubuntu-24.04.qcow2"
  checksum_algorithm = "sha256"
  expected_checksum  = "http://images.example.com/SHA256SUMS"
}

resource "baremetal_node" "server1" {
  name   = "server1"
  driver = "ipmi"
  driver_info = {
    ipmi_address   = "10.4.0.12"
    deploy_kernel  = "http://images.example.com/ipa.kernel"
    deploy_ramdisk = "http://images.example.com/ipa.initramfs"
  }

  target_provision_state = "available"
}

resource "baremetal_portgroup" "bond0" {
  node_id    = baremetal_node.server1.id
  name       = "server1-bond0"
  mode       = "802.3ad"
  properties = { miimon = "100" }
}

resource "baremetal_port" "nic" {
  for_each     = toset(["52:54:00:04:0c:01", "52:54:00:04:0c:02"])
  node_id      = baremetal_node.server1.id
  address      = each.key
  portgroup_id = baremetal_portgroup.bond0.id
}

resource "baremetal_deployment" "server1" {
  node_id = baremetal_node.server1.id

  # The image's keys (URL and checksum, in the form Ironic wants for its algorithm),
  # with keys of this deployment's own.
  instance_info = merge(baremetal_image.ubuntu.instance_info, {
    root_gb = "100"
  })

  config_drive = {
    user_data = <<-EOT
      #cloud-config
      hostname: server1
    EOT
    meta_data = jsonencode({
      hostname    = "server1"
      public_keys = { admin = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG5vdGFyZWFsa2V5 admin@example" }
    })
    network_data = jsonencode({
      links    = [{ id = "bond0", type = "bond", bond_links = ["eth0", "eth1"], bond_mode = "802.3ad" }]
      networks = [{ id = "net0", link = "bond0", type = "ipv4_dhcp" }]
    })
  }

  # A production machine: a changed image or config drive is a plan-time error instead
  # of an in-place rebuild that overwrites the disk.
  allow_rebuild = false

  timeouts = {
    create = "90m"
  }

  depends_on = [baremetal_port.nic]
}
