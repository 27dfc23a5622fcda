# The deployments (nodes with an instance on them) of shard rack-a.
list "baremetal_deployment" "rack_a" {
  provider = baremetal

  config {
    shard = "rack-a"
  }
}
