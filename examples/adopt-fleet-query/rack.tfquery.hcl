# rack.tfquery.hcl: what a rack holds, for `terraform query` (Terraform 1.14 or later).
# Change the shard (or use any other filter of the baremetal_nodes data source).
list "baremetal_node" "rack" {
  provider = baremetal
  limit    = 1000 # Terraform's default is 100 a list

  config {
    shard = "rack-a"
  }
}

# The deployments to adopt: not Nova's instances, not failed deploys. Each is generated
# with allow_rebuild = false.
list "baremetal_deployment" "rack" {
  provider = baremetal
  limit    = 1000

  config {
    shard = "rack-a"
  }
}

# Each node's port groups (bonds) and ports: the ports' portgroup_id names the group.
list "baremetal_portgroup" "rack" {
  for_each = toset([for n in list.baremetal_node.rack.data : n.identity.id])
  provider = baremetal

  config {
    node_id = each.key
  }
}

list "baremetal_port" "rack" {
  for_each = toset([for n in list.baremetal_node.rack.data : n.identity.id])
  provider = baremetal

  config {
    node_id = each.key
  }
}
