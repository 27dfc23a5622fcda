//go:build linux

package ironictest

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// PutInServiceHold leaves an active node in "service hold" as a hold step in servicing
// does: the state, the target and the step Ironic's conductor records for one. Ironic's
// API cannot get there (since 2024.2 its step validation drops the user's hold and wait
// steps, so servicing with a hold step runs nothing and returns to active), so the
// harness writes the record itself, as Ironic's own unit tests set one up; "unhold"
// through the API then runs the conductor's real continuation back to active.
func (s *Server) PutInServiceHold(ctx context.Context, nodeUUID string) error {
	const script = `import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
hold = {"step": "hold", "interface": "deploy", "priority": 0, "args": {}}
row = db.execute("SELECT driver_internal_info FROM nodes WHERE uuid = ? AND provision_state = 'active'", (sys.argv[2],)).fetchone()
if row is None:
    sys.exit("no active node " + sys.argv[2])
info = json.loads(row[0] or "{}")
info.update(service_steps=[hold], service_step_index=0, service_disable_ramdisk=True)
with db:
    db.execute("UPDATE nodes SET provision_state = 'service hold', target_provision_state = 'active', "
               "service_step = ?, driver_internal_info = ?, provision_updated_at = CURRENT_TIMESTAMP WHERE uuid = ?",
               (json.dumps(hold), json.dumps(info), sys.argv[2]))
`
	out, err := exec.CommandContext(ctx, "/usr/bin/python3", "-c", script, filepath.Join(s.Dir, "ironic.sqlite"), nodeUUID).CombinedOutput()
	if err != nil {
		return fmt.Errorf("putting node %s in service hold: %v: %s", nodeUUID, err, strings.TrimSpace(string(out)))
	}
	return nil
}
