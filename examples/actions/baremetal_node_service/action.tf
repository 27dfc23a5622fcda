# Update db1's BMC firmware while the machine keeps its instance and disk (servicing);
# the node is `active` again afterwards:
#
#   terraform apply -invoke=action.baremetal_node_service.db1_bmc_firmware
action "baremetal_node_service" "db1_bmc_firmware" {
  config {
    node_id = "db1"
    service_steps = jsonencode([{
      interface = "firmware"
      step      = "update"
      args = {
        settings = [{
          component = "bmc"
          url       = "http://images.example.com/firmware/bmc-7.10.bin"
          wait      = 300 # seconds for the BMC to come back
        }]
      }
    }])
  }
}
