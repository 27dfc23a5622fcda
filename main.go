// Command terraform-provider-baremetal serves the baremetal Terraform provider
// (OpenStack Ironic) over plugin protocol 6.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/metalform/terraform-provider-baremetal/internal/provider"
)

// version is set by the build (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/metalform/baremetal",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
