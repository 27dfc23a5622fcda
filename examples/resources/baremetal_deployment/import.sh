# Adopt a node that is already deployed, by node UUID or name: nothing in Ironic changes.
terraform import baremetal_deployment.server1 server1
