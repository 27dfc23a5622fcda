# Every allocation the credentials may see.
list "baremetal_allocation" "all" {
  provider = baremetal
}
