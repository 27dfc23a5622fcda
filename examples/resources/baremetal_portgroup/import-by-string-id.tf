# By port group UUID or name.
import {
  to = baremetal_portgroup.bond0
  id = "server1-bond0"
}
