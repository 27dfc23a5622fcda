# What inspection found on a node (inspect = true on baremetal_node, or an operator's
# `baremetal node inspect`), looked up by the node's UUID or name.
data "baremetal_node_inventory" "server1" {
  node_id = "server1"
}

output "server1_hardware" {
  value = data.baremetal_node_inventory.server1.has_inventory ? {
    cpus      = data.baremetal_node_inventory.server1.cpu_count
    memory_mb = data.baremetal_node_inventory.server1.memory_mb
    macs      = [for i in data.baremetal_node_inventory.server1.interfaces : i.mac_address]
    # Candidates for a root_device hint by serial, which survives renamed devices.
    big_disks = [for d in data.baremetal_node_inventory.server1.disks : d.serial if d.size_gb >= 100]
  } : null
}
