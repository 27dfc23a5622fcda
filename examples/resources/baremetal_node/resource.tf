# The enrollment guide's node: `baremetal node create --driver ipmi --driver-info ...`
resource "baremetal_node" "server1" {
  name   = "server1"
  driver = "ipmi"

  driver_info = {
    ipmi_address   = "ipmi.server.net"
    ipmi_username  = "user"
    ipmi_password  = var.ipmi_password
    deploy_kernel  = "file:///var/lib/ironic/images/deploy.vmlinuz" # below Ironic's file_url_allowed_paths
    deploy_ramdisk = "http://my.server.net/images/deploy.ramdisk"
  }

  properties = {
    capabilities = "boot_mode:uefi"
    cpu_arch     = "x86_64"
  }

  resource_class = "baremetal"
}

variable "ipmi_password" {
  type      = string
  sensitive = true
}
