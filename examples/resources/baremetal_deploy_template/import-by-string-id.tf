# By deploy template name (its trait, CUSTOM_...) or UUID.
import {
  to = baremetal_deploy_template.raid1
  id = "CUSTOM_RAID1"
}
