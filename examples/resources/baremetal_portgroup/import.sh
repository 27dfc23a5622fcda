# By port group UUID or name.
terraform import baremetal_portgroup.bond0 server1-bond0
