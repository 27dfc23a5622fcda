package ironic

// Runbook is a named list of steps (API 1.92, Ironic 26.1) that a node whose traits
// include the runbook's name can be cleaned or serviced with.
type Runbook struct {
	StepsObject
	DisableRamdisk bool   `json:"disable_ramdisk"`
	Public         bool   `json:"public"`
	Owner          string `json:"owner"`
}

// Runbooks are the runbook calls.
var Runbooks = ObjectKind[Runbook]{kind: "runbook", path: "runbooks"}
