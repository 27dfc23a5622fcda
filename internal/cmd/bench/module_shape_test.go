//go:build linux

package main

import (
	"encoding/json"
	"testing"
)

func TestStateAsModules(t *testing.T) {
	counted := `{"version":4,"serial":7,"lineage":"x","resources":[
 {"mode":"managed","type":"baremetal_node","name":"n","provider":"p","instances":[
  {"index_key":0,"attributes":{"id":"a"}},{"index_key":1,"attributes":{"id":"b"}}]},
 {"mode":"managed","type":"baremetal_port","name":"p","provider":"p","instances":[
  {"index_key":1,"attributes":{"id":"q"},"dependencies":["baremetal_node.n"]}]}]}`
	out, err := stateAsModules([]byte(counted))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Resources []struct {
			Module, Type string
			Instances    []map[string]any
		}
	}
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatal(err)
	}
	want := []struct{ module, typ, id, dep string }{
		{`module.machine["0"]`, "baremetal_node", "a", ""},
		{`module.machine["1"]`, "baremetal_node", "b", ""},
		{`module.machine["1"]`, "baremetal_port", "q", `module.machine["1"].baremetal_node.n`},
	}
	if len(s.Resources) != len(want) {
		t.Fatalf("%d resources: %s", len(s.Resources), out)
	}
	for i, w := range want {
		r := s.Resources[i]
		if r.Module != w.module || r.Type != w.typ || len(r.Instances) != 1 {
			t.Fatalf("resource %d: %+v", i, r)
		}
		inst := r.Instances[0]
		if _, counted := inst["index_key"]; counted || inst["attributes"].(map[string]any)["id"] != w.id {
			t.Fatalf("resource %d instance: %v", i, inst)
		}
		deps, _ := inst["dependencies"].([]any)
		if w.dep != "" && (len(deps) != 1 || deps[0] != w.dep) {
			t.Fatalf("resource %d dependencies: %v", i, deps)
		}
	}
	if _, err := stateAsModules([]byte(`{"resources":[{"type":"x","name":"y","instances":[{"attributes":{}}]}]}`)); err == nil {
		t.Fatal("an instance without a count index moved")
	}
}
