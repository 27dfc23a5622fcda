# The resource the import block of import.tf adopts (examples-check validates them together).
resource "baremetal_deployment" "server1" {
  node_id = "1be26c0b-03f2-4d2e-ae87-c02d7f33c123"
  instance_info = {
    image_source   = "http://images.example.com/os.qcow2"
    image_checksum = "6b1f3ac9e0c0b8a91d5f7d2e4c8a9b31"
  }
}
