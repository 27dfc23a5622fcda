package ironic

// StepsObject is what a deploy template and a runbook share: a named list of steps that a
// node whose traits include the name may run. gophercloud wraps neither.
type StepsObject struct {
	UUID  string           `json:"uuid"`
	Name  string           `json:"name"`
	Steps []map[string]any `json:"steps"`
	Extra map[string]any   `json:"extra"`
}

// DeployTemplate is a named set of deploy steps (API 1.55) that Ironic runs when a node
// whose traits include the template's name is deployed.
type DeployTemplate struct {
	StepsObject
}

// DeployTemplates are the deploy template calls.
var DeployTemplates = ObjectKind[DeployTemplate]{kind: "deploy template", path: "deploy_templates"}
