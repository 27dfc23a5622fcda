package ironic

// Portgroup is an Ironic port group (a bond of a node's ports); gophercloud has no
// portgroup calls, so they go through its service client as raw requests.
type Portgroup struct {
	UUID                     string         `json:"uuid"`
	NodeUUID                 string         `json:"node_uuid"`
	Address                  string         `json:"address"`
	Name                     string         `json:"name"`
	Mode                     string         `json:"mode"`
	Properties               map[string]any `json:"properties"`
	StandalonePortsSupported bool           `json:"standalone_ports_supported"`
	Extra                    map[string]any `json:"extra"`
}

// Portgroups are the portgroup calls.
var Portgroups = ObjectKind[Portgroup]{kind: "portgroup", path: "portgroups"}
