package ironictest

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
)

// seedInventory is run by Debian's Python (whose sqlite3 module Ironic itself uses): the
// packaged Ironic has no in-band inspection agent here, so a test writes the inventory
// an inspection would have stored.
const seedInventory = `
import json, sqlite3, sys
db, uuid, inventory, plugin = sys.argv[1:5]
con = sqlite3.connect(db, timeout=30)
cols = [r[1] for r in con.execute("PRAGMA table_info(node_inventory)")]
node = con.execute("SELECT id FROM nodes WHERE uuid = ? OR name = ?", (uuid, uuid)).fetchone()
if node is None:
    sys.exit("no node " + uuid)
con.execute("DELETE FROM node_inventory WHERE node_id = ?", (node[0],))
row = {"inventory_data": inventory, "plugin_data": plugin, "node_id": node[0]}
if "created_at" in cols:
    row["created_at"] = "2026-11-25 00:00:00"
if "version" in cols:
    row["version"] = "1.0"
con.execute("INSERT INTO node_inventory (%s) VALUES (%s)" % (",".join(row), ",".join("?" * len(row))), list(row.values()))
con.commit()
`

// SeedInventory stores an inventory (and plugin data) for the node, as inspection would.
func (s *Server) SeedInventory(ctx context.Context, node string, inventory, pluginData map[string]any) error {
	inv, err := json.Marshal(inventory)
	if err != nil {
		return err
	}
	plugin, err := json.Marshal(pluginData)
	if err != nil {
		return err
	}
	return s.runSQL(ctx, "seeding the inventory of "+node, seedInventory, node, string(inv), string(plugin))
}

// runSQL runs a Python script on the test Ironic's database (its path is the script's
// first argument, then args).
func (s *Server) runSQL(ctx context.Context, what, script string, args ...string) error {
	argv := append([]string{"-c", script, filepath.Join(s.Dir, "ironic.sqlite")}, args...)
	if out, err := exec.CommandContext(ctx, "/usr/bin/python3", argv...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v: %s", what, err, out)
	}
	return nil
}

// markReadOnly gives a node's BIOS settings registry details, as a Redfish BIOS
// interface reports them: every setting typed, the named one read-only.
const markReadOnly = `
import sqlite3, sys
db, node, name = sys.argv[1:4]
con = sqlite3.connect(db, timeout=30)
nid = con.execute("SELECT id FROM nodes WHERE uuid = ? OR name = ?", (node, node)).fetchone()[0]
con.execute("UPDATE bios_settings SET attribute_type = 'String', read_only = 0 WHERE node_id = ?", (nid,))
con.execute("UPDATE bios_settings SET read_only = 1 WHERE node_id = ? AND name = ?", (nid, name))
con.commit()
`

// SetBIOSRegistry makes the node's BIOS settings carry registry details (API 1.74), with
// the named setting read-only; the fake BIOS interface records none by itself.
func (s *Server) SetBIOSRegistry(ctx context.Context, node, readOnly string) error {
	return s.runSQL(ctx, "setting the BIOS registry of "+node, markReadOnly, node, readOnly)
}

// forceState puts a node in a provision state with a last_error, as Ironic's own failure
// handling leaves it (a failed teardown ends in "error"), for states the fake hardware
// cannot fail into.
const forceState = `
import sqlite3, sys
db, node, state, err = sys.argv[1:5]
con = sqlite3.connect(db, timeout=30)
con.execute("UPDATE nodes SET provision_state = ?, target_provision_state = NULL, last_error = ? WHERE uuid = ? OR name = ?",
            (state, err, node, node))
con.commit()
`

// ForceProvisionState sets the node's provision state and last_error in the database.
func (s *Server) ForceProvisionState(ctx context.Context, node, state, lastError string) error {
	return s.runSQL(ctx, "setting the provision state of "+node, forceState, node, state, lastError)
}

// setBIOSValue rewrites one BIOS setting's value as a BMC may report it (its own case).
const setBIOSValue = `
import sqlite3, sys
db, node, name, value = sys.argv[1:5]
con = sqlite3.connect(db, timeout=30)
nid = con.execute("SELECT id FROM nodes WHERE uuid = ? OR name = ?", (node, node)).fetchone()[0]
con.execute("UPDATE bios_settings SET value = ? WHERE node_id = ? AND name = ?", (value, nid, name))
con.commit()
`

// SetBIOSValue makes the node report a BIOS setting with this value.
func (s *Server) SetBIOSValue(ctx context.Context, node, name, value string) error {
	return s.runSQL(ctx, "setting BIOS setting "+name+" of "+node, setBIOSValue, node, name, value)
}
