# By allocation UUID or name.
import {
  to = baremetal_allocation.web[0]
  id = "web-0"
}
