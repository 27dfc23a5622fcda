# The shards of the fleet, and the nodes of one shard: a workspace per shard
# (terraform workspace select rack-a) plans only what its shard holds.
data "baremetal_shards" "all" {}

data "baremetal_nodes" "this_shard" {
  shard = terraform.workspace
}

output "shards" {
  value = { for s in data.baremetal_shards.all.shards : s.name => s.count }
}

output "nodes_in_this_shard" {
  value = zipmap(data.baremetal_nodes.this_shard.ids, data.baremetal_nodes.this_shard.names)
}
