# By allocation UUID or name.
terraform import 'baremetal_allocation.web[0]' web-0
