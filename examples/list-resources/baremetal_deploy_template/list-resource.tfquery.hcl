# Every deploy template.
list "baremetal_deploy_template" "all" {
  provider = baremetal
}
