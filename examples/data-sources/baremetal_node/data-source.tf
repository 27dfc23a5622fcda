# Look up a node enrolled elsewhere, by name (or by id).
data "baremetal_node" "server1" {
  name = "server1"
}

output "server1_macs" {
  value = data.baremetal_node.server1.port_addresses
}
