# rack.tfquery.hcl: every node of shard rack-a that is in service.
# terraform query                              lists them (name, else UUID)
# terraform query -generate-config-out=rack.tf writes import blocks and resources
list "baremetal_node" "rack_a" {
  provider = baremetal
  limit    = 500 # Terraform's default is 100

  config {
    shard       = "rack-a"
    maintenance = false
    traits      = ["CUSTOM_GPU"] # only nodes with every one of these
  }
}
