package ironictest

import "context"

// clonePorts gives every node named prefix-i a copy of one port's row, each with a new
// UUID and the MAC macPrefix:ii:ii:00 (i's two bytes), in one transaction.
const clonePorts = `
import sqlite3, sys, uuid
db, template, prefix, mac = sys.argv[1:5]
con = sqlite3.connect(db, timeout=30)
cols = [r[1] for r in con.execute("PRAGMA table_info(ports)") if r[1] != "id"]
row = con.execute("SELECT %s FROM ports WHERE uuid = ? OR address = ?" % ",".join(cols), (template, template)).fetchone()
if row is None:
    sys.exit("no port " + template)
row = dict(zip(cols, row))
rows = []
for nid, name in con.execute("SELECT id, name FROM nodes WHERE name LIKE ?", (prefix + "-%",)):
    suffix = name[len(prefix) + 1:]
    if not suffix.isdigit():
        continue
    i = int(suffix)
    r = dict(row)
    r["uuid"], r["node_id"], r["address"] = str(uuid.uuid4()), nid, "%s:%02x:%02x:00" % (mac, i // 256, i % 256)
    rows.append([r[c] for c in cols])
con.executemany("INSERT INTO ports (%s) VALUES (%s)" % (",".join(cols), ",".join("?" * len(cols))), rows)
con.commit()
`

// ClonePorts gives each node CloneNodes named prefix-i a copy of the template port (UUID
// or MAC) straight in the database, with the MAC macPrefix:ii:ii:00 where ii:ii are i's
// two bytes (macPrefix three octets, lower case), as the bench's fleet configuration
// writes them.
func (s *Server) ClonePorts(ctx context.Context, template, prefix, macPrefix string) error {
	return s.runSQL(ctx, "cloning port "+template, clonePorts, template, prefix, macPrefix)
}
