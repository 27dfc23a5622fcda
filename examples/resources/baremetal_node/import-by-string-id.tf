# Adopt a node Ironic already holds, by UUID or by name: nothing in Ironic changes.
import {
  to = baremetal_node.server1
  id = "server1" # or "1be26c0b-03f2-4d2e-ae87-c02d7f33c123"
}
