resource "baremetal_node" "server1" {
  name                   = "server1"
  driver                 = "ipmi"
  target_provision_state = "available"
}

# `baremetal port group create --node $NODE_UUID --name bond0 --mode 802.3ad`
resource "baremetal_portgroup" "bond0" {
  node_id    = baremetal_node.server1.id
  name       = "server1-bond0"
  mode       = "802.3ad"
  properties = { miimon = "100" }
}

resource "baremetal_port" "eth0" {
  node_id      = baremetal_node.server1.id
  address      = "52:54:00:12:34:56"
  portgroup_id = baremetal_portgroup.bond0.id
}
