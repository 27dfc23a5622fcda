//go:build linux

package ironictest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

// dumpStates prints Ironic's own state machine: each provision state, whether Ironic
// calls it stable and where it heads, and the events.
const dumpStates = `
import json
from ironic.common import state_machine as sm
m = sm.machine
states = {s: {"stable": bool(m._states[s].get("stable")), "target": m._states[s].get("target") or ""} for s in m._states}
events = sorted({e for s in m._transitions for e in m._transitions[s]})
print(json.dumps({"states": states, "events": events}))
`

// The provider's table of provision states (internal/ironic/testdata) is the current
// Ironic's: a newer Ironic with a state or event the table lacks fails here, naming it.
func TestStartCurrentIronicStateMachine(t *testing.T) {
	if os.Getenv("TF_ACC") == "" || os.Getenv("BAREMETAL_TEST_IRONIC") != "current" {
		t.Skip("reads the current Ironic's state machine; set TF_ACC=1 BAREMETAL_TEST_IRONIC=current (make test does)")
	}
	s := &Server{root: CurrentRoot()}
	argv := s.command("python3", "-c", dumpStates)
	out, err := exec.Command(argv[0], argv[1:]...).Output()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	type machine struct {
		States map[string]struct {
			Stable bool   `json:"stable"`
			Target string `json:"target"`
		} `json:"states"`
		Events []string `json:"events"`
	}
	var live, table machine
	if err := json.Unmarshal(bytes.TrimSpace(out), &live); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join("..", "ironic", "testdata", "states-ironic-35.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &table); err != nil {
		t.Fatal(err)
	}
	for state, info := range live.States {
		if got, ok := table.States[state]; !ok || got != info {
			t.Errorf("state %q (%+v) is not in the provider's table as this Ironic has it (%+v)", state, info, got)
		}
	}
	if len(live.States) != len(table.States) || !reflect.DeepEqual(live.Events, table.Events) {
		t.Errorf("the table has %d states and events %v; this Ironic %d and %v", len(table.States), table.Events, len(live.States), live.Events)
	}
}
