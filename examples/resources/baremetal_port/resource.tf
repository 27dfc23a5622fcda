# `baremetal port create $MAC_ADDRESS --node $NODE_UUID`
resource "baremetal_node" "server1" {
  name   = "server1"
  driver = "ipmi"
}

resource "baremetal_port" "server1_eth0" {
  node_id = baremetal_node.server1.id
  address = "52:54:00:12:34:56"

  local_link_connection = {
    switch_id = "0a:1b:2c:3d:4e:5f"
    port_id   = "Ethernet1/3"
  }
}
