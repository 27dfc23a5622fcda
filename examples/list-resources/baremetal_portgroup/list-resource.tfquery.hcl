# The port groups (bonds) of one node.
list "baremetal_portgroup" "server1" {
  provider = baremetal

  config {
    node_id = "server1" # UUID or name
  }
}
