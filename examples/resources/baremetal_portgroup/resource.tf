resource "baremetal_node" "server1" {
  name   = "server1"
  driver = "ipmi"
}

# `baremetal port group create --node $NODE_UUID --name bond0 --mode 802.3ad`
resource "baremetal_portgroup" "bond0" {
  node_id    = baremetal_node.server1.id
  name       = "server1-bond0"
  mode       = "802.3ad"
  properties = { miimon = "100" }
}

# The bond's links: each NIC's port names the group.
resource "baremetal_port" "bond0_link" {
  for_each     = toset(["52:54:00:12:34:56", "52:54:00:12:34:57"])
  node_id      = baremetal_node.server1.id
  address      = each.key
  portgroup_id = baremetal_portgroup.bond0.id
}
