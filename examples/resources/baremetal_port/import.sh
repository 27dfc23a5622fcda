# A port can be imported by UUID or by MAC address.
terraform import baremetal_port.server1_eth0 7c5fe884-586a-4815-9f0d-6d3b1a2a0c11
terraform import baremetal_port.server1_eth0 52:54:00:12:34:56
