# The deployments of shard rack-a that can be adopted as they run: active (or held,
# serviced, rescued), not a deploy that failed, and not an instance another service
# (Nova) put there. Generated, each carries allow_rebuild = false.
list "baremetal_deployment" "rack_a" {
  provider = baremetal

  config {
    shard = "rack-a"
    # include_foreign_instances = true # Nova's instances too: only when Nova is going away
  }
}
