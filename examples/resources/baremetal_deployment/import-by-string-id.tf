# Adopt what runs on a node that is already deployed, by the node's UUID or name:
# nothing is redeployed and nothing in Ironic changes.
import {
  to = baremetal_deployment.server1
  id = "server1"
}
