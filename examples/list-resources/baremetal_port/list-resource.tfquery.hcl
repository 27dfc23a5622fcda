# The ports of one node, named by MAC address.
list "baremetal_port" "server1" {
  provider = baremetal

  config {
    node_id = "server1" # UUID or name
  }
}
