# The resource the import block of import.tf adopts (examples-check validates them together).
resource "baremetal_portgroup" "bond0" {
  node_id = "1be26c0b-03f2-4d2e-ae87-c02d7f33c123"
}
