package ironictest

import (
	"context"
	"strconv"
)

// cloneNodes copies one node's row n times, each with a new UUID and the name
// prefix-i, in one transaction: thousands of nodes in a second, for list tests that
// creating them through the API would make slow.
const cloneNodes = `
import sqlite3, sys, uuid
db, template, prefix, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
con = sqlite3.connect(db, timeout=30)
cols = [r[1] for r in con.execute("PRAGMA table_info(nodes)") if r[1] != "id"]
row = con.execute("SELECT %s FROM nodes WHERE uuid = ? OR name = ?" % ",".join(cols), (template, template)).fetchone()
if row is None:
    sys.exit("no node " + template)
row = dict(zip(cols, row))
rows = []
for i in range(n):
    r = dict(row)
    r["uuid"], r["name"] = str(uuid.uuid4()), "%s-%d" % (prefix, i)
    rows.append([r[c] for c in cols])
con.executemany("INSERT INTO nodes (%s) VALUES (%s)" % (",".join(cols), ",".join("?" * len(cols))), rows)
con.commit()
`

// CloneNodes adds n copies of the template node (UUID or name), named prefix-0 to
// prefix-(n-1), straight into the database.
func (s *Server) CloneNodes(ctx context.Context, template, prefix string, n int) error {
	return s.runSQL(ctx, "cloning node "+template, cloneNodes, template, prefix, strconv.Itoa(n))
}

const deleteNodesNamed = `
import sqlite3, sys
db, prefix = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db, timeout=30)
con.execute("DELETE FROM nodes WHERE name LIKE ?", (prefix + "-%",))
con.commit()
`

// DeleteClones removes the nodes CloneNodes made with this prefix.
func (s *Server) DeleteClones(ctx context.Context, prefix string) error {
	return s.runSQL(ctx, "deleting clones "+prefix, deleteNodesNamed, prefix)
}
