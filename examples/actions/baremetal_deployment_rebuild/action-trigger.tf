# A reinstall on request, kept in the configuration: raise the number and apply. The
# rebuild gets the deployment's own config drive. Adding the record reinstalls nothing
# (after_update only).
resource "terraform_data" "web2_reinstall" {
  input = 3 # raise to reinstall

  lifecycle {
    action_trigger {
      events  = [after_update]
      actions = [action.baremetal_deployment_rebuild.web2]
    }
  }
}

resource "baremetal_deployment" "web2" {
  node_id = "web2"
  instance_info = {
    image_source   = "http://images.example.com/debian-13.qcow2"
    image_checksum = "http://images.example.com/debian-13.qcow2.sha256"
  }
  config_drive = {
    meta_data = jsonencode({ hostname = "web2" })
  }
}

action "baremetal_deployment_rebuild" "web2" {
  config {
    node_id      = baremetal_deployment.web2.id
    config_drive = baremetal_deployment.web2.config_drive
  }
}
