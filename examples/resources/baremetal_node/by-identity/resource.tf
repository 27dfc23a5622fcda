# The resource the import block of import.tf adopts (examples-check validates them together).
resource "baremetal_node" "server1" {
  driver = "ipmi"
}
