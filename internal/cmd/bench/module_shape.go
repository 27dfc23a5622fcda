//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// A rack written as one module instance per machine (node and port inside, the port
// referring to baremetal_node.n) rather than two counted resources whose instances
// refer to each other (baremetal_node.n[count.index].id). Terraform evaluates a
// reference to a counted resource by building the value of all its instances, so the
// counted shape costs Terraform itself time that grows with the square of the fleet
// (1,000 terraform_data pairs with 60 attributes: 69 s of plan against 5.7 s as
// modules); inside a module instance the reference is to one object.

// machineModule is the module of one machine.
const machineModule = `terraform {
  required_providers {
    baremetal = { source = "metalform/baremetal" }
  }
}

variable "name" { type = string }
variable "mac" { type = string }
variable "target" {
  type    = string
  default = null
}

resource "baremetal_node" "n" {
  name                   = var.name
  driver                 = "fake-hardware"
  target_provision_state = var.target
}

resource "baremetal_port" "p" {
  node_id = baremetal_node.n.id
  address = var.mac
}
`

// moduleFleetConfig is fleetConfig(n, prefix, macPrefix, target) as module instances
// keyed by the machine's index.
func moduleFleetConfig(n int, prefix, macPrefix, target string) string {
	state := ""
	if target != "" {
		state = fmt.Sprintf("\n  target   = %q", target)
	}
	return providerHeader + fmt.Sprintf(`
provider "baremetal" {}

module "machine" {
  source   = "./machine"
  for_each = { for i in range(%[1]d) : tostring(i) => i }
  name     = "%[2]s${each.value}"
  mac      = format("%[3]s:%%02x:%%02x:00", floor(each.value / 256), each.value %% 256)%[4]s
}
`, n, prefix, macPrefix, state)
}

// writeModuleFleet writes in dir moduleFleetConfig's root and its machine module.
func writeModuleFleet(dir string, n int, prefix, macPrefix, target string) error {
	if err := os.MkdirAll(filepath.Join(dir, "machine"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "machine", "main.tf"), []byte(machineModule), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "main.tf"), []byte(moduleFleetConfig(n, prefix, macPrefix, target)), 0o644)
}

// moduleWorkspace writes, beside the counted workspace from, a workspace with the same
// machines as module instances and from's state moved to their addresses (what moved
// blocks would record, without a plan over the fleet to apply them).
func moduleWorkspace(e *env, from, dir, prefix, macPrefix, target string, n int) error {
	if err := writeModuleFleet(dir, n, prefix, macPrefix, target); err != nil {
		return err
	}
	if err := e.terraformRun(dir, "get"); err != nil { // the local module, no provider install
		return err
	}
	out, err := e.terraformCmd(from, "state", "pull").Output()
	if err != nil {
		return fmt.Errorf("terraform state pull: %w", err)
	}
	moved, err := stateAsModules(out)
	if err != nil {
		return err
	}
	return e.pushState(dir, moved)
}

// pushState replaces dir's state with state (terraform state push of a file written
// for it, removed afterwards).
func (e *env) pushState(dir string, state []byte) error {
	pushed := filepath.Join(dir, "pushed.tfstate")
	if err := os.WriteFile(pushed, state, 0o600); err != nil {
		return err
	}
	defer os.Remove(pushed)
	return e.terraformRun(dir, "state", "push", pushed)
}

// stateAsModules moves every instance i of the root's counted resources to
// module.machine["i"], the resource itself not counted; a port's dependency on the
// counted node becomes one on its machine's node.
func stateAsModules(state []byte) ([]byte, error) {
	var s map[string]any
	if err := json.Unmarshal(state, &s); err != nil {
		return nil, err
	}
	resources, _ := s["resources"].([]any)
	var moved []any
	for _, r := range resources {
		res, _ := r.(map[string]any)
		if res == nil || res["module"] != nil {
			return nil, fmt.Errorf("state: a resource not at the root: %v", r)
		}
		instances, _ := res["instances"].([]any)
		for _, in := range instances {
			inst, _ := in.(map[string]any)
			key, ok := inst["index_key"].(float64)
			if !ok {
				return nil, fmt.Errorf("state: %v.%v has an instance without a count index", res["type"], res["name"])
			}
			module := fmt.Sprintf("module.machine[%q]", fmt.Sprint(int(key)))
			delete(inst, "index_key")
			if deps, _ := inst["dependencies"].([]any); len(deps) > 0 {
				for i, d := range deps {
					deps[i] = fmt.Sprintf("%s.%v", module, d)
				}
			}
			moved = append(moved, map[string]any{
				"module": module, "mode": res["mode"], "type": res["type"], "name": res["name"],
				"provider": res["provider"], "instances": []any{inst},
			})
		}
	}
	s["resources"] = moved
	s["serial"] = float64(1)
	s["lineage"] = fmt.Sprintf("bench-modules-%d", time.Now().UnixNano())
	return json.Marshal(s)
}
