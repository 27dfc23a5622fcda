# A new image for web2 rebuilds its disk in place, which Ironic refuses while the node is
# in rescue. The unrescue runs before every update of the deployment, so a rescue someone
# forgot does not hold up the next image (on an `active` node it does nothing).
resource "baremetal_deployment" "web2" {
  node_id = "web2"
  instance_info = {
    image_source   = "http://images.example.com/debian-13.qcow2"
    image_checksum = "http://images.example.com/debian-13.qcow2.sha256"
  }

  lifecycle {
    action_trigger {
      events  = [before_update]
      actions = [action.baremetal_node_unrescue.web2]
    }
  }
}

action "baremetal_node_unrescue" "web2" {
  config {
    node_id = "web2"
  }
}
