# By port UUID, or by MAC address (colon-separated, in any case; one port must have it).
import {
  to = baremetal_port.server1_eth0
  id = "52:54:00:12:34:56" # or "7c5fe884-586a-4815-9f0d-6d3b1a2a0c11"
}
