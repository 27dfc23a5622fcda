# By deploy template name or UUID.
terraform import baremetal_deploy_template.raid1 CUSTOM_RAID1
