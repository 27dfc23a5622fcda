# Reinstall web1 with the image it already runs: same node, UUID, ports and deployment,
# no cleaning. Whatever the image does not hold is lost.
#
#   terraform apply -invoke=action.baremetal_deployment_rebuild.web1
#
# Ironic keeps no config drive from the first deploy: give it again, or cloud-init finds
# none on the reinstalled system.
action "baremetal_deployment_rebuild" "web1" {
  config {
    node_id = "web1"
    config_drive = {
      meta_data = jsonencode({
        hostname = "web1"
      })
      user_data = <<-EOT
        #cloud-config
        package_update: true
        packages: [nginx]
      EOT
    }
    timeouts = {
      invoke = "90m"
    }
  }
}
