terraform {
  required_providers {
    baremetal = {
      source  = "metalform/baremetal"
      version = "~> 0.1"
    }
  }
}

# A standalone Ironic without authentication (Ironic's `noauth`).
provider "baremetal" {
  endpoint = "http://127.0.0.1:6385"
}

# Ironic behind HTTP basic authentication; the password is better set in
# BAREMETAL_PASSWORD than written here.
provider "baremetal" {
  alias         = "basic"
  endpoint      = "https://ironic.example.com:6385"
  auth_strategy = "http_basic"
  username      = "admin"
  ca_file       = "/etc/ironic/ca.pem"
}

# Ironic in an OpenStack cloud: Keystone credentials and the endpoint come from an
# entry of clouds.yaml.
provider "baremetal" {
  alias         = "cloud"
  auth_strategy = "keystone"
  cloud         = "mycloud"
}
