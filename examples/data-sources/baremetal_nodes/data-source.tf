# Every ipmi node that is ready for deployment.
data "baremetal_nodes" "ready" {
  driver          = "ipmi"
  provision_state = "available"
  maintenance     = false
}

output "ready_nodes" {
  value = zipmap(data.baremetal_nodes.ready.ids, data.baremetal_nodes.ready.names)
}
