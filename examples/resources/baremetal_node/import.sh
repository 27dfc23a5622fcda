# A node can be imported by UUID or by name.
terraform import baremetal_node.server1 1be26c0b-03f2-4d2e-ae87-c02d7f33c123
terraform import baremetal_node.server1 server1
