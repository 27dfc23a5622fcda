# The ports of one node, named by MAC address.
list "baremetal_port" "server1" {
  provider = baremetal

  config {
    node_id = "server1" # UUID or name
  }
}

# The ports of every node a node list found: one list per node.
list "baremetal_node" "rack_a" {
  provider = baremetal
  config {
    shard = "rack-a"
  }
}
list "baremetal_port" "rack_a" {
  for_each = toset([for n in list.baremetal_node.rack_a.data : n.identity.id])
  provider = baremetal

  config {
    node_id = each.key
  }
}
