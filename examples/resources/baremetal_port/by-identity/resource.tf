# The resource the import block of import.tf adopts (examples-check validates them together).
resource "baremetal_port" "server1_eth0" {
  node_id = "1be26c0b-03f2-4d2e-ae87-c02d7f33c123"
  address = "52:54:00:12:34:56"
}
