// Command terraform-provider-baremetal serves the baremetal Terraform provider
// (OpenStack Ironic) over plugin protocol 6.
package main

import (
	"flag"
	"log"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/metalform/terraform-provider-baremetal/internal/profiling"
	"github.com/metalform/terraform-provider-baremetal/internal/provider"
)

// version is set by the build (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run with support for debuggers like delve")
	flag.Parse()
	quietUnlessLogging()
	tuneGC(os.Getenv)

	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	stopProfile := profiling.Start()
	err := tf6server.Serve("registry.terraform.io/metalform/baremetal", provider.NewServer(version), opts...)
	stopProfile()
	if err != nil {
		log.Fatal(err.Error())
	}
}

// quietUnlessLogging turns the SDK's and the provider's log lines off at the source
// when Terraform would discard them anyway (no TF_LOG, TF_LOG_PROVIDER or other
// TF_LOG_* level set): formatting the framework's trace lines costs about a third of
// the provider's CPU in a plan over a thousand resources.
func quietUnlessLogging() {
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "TF_LOG") && name != "TF_LOG_PATH" && value != "" {
			return
		}
	}
	for _, name := range []string{"TF_LOG_SDK", "TF_LOG_PROVIDER"} {
		_ = os.Setenv(name, "OFF")
	}
}
