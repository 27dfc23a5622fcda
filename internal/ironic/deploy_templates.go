package ironic

import (
	"context"
)

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

// CreateDeployTemplate creates one from a body carrying a UUID chosen by the caller, so a
// request whose answer was lost is never sent twice.
func (c *Client) CreateDeployTemplate(ctx context.Context, body map[string]any) (*DeployTemplate, error) {
	return createObject[DeployTemplate](ctx, c.SC, c.Retry, "deploy template", "deploy_templates", body)
}

// GetDeployTemplate reads one by UUID or name.
func (c *Client) GetDeployTemplate(ctx context.Context, id string) (*DeployTemplate, error) {
	return getObject[DeployTemplate](ctx, c.SC, "deploy_templates", id)
}

// UpdateDeployTemplate applies a JSON patch; with no operations it reads it.
func (c *Client) UpdateDeployTemplate(ctx context.Context, id string, ops []PatchOp) (*DeployTemplate, error) {
	return updateObject[DeployTemplate](ctx, c.SC, "deploy_templates", id, ops)
}

// DeleteDeployTemplate deletes a template; one already gone counts as deleted.
func (c *Client) DeleteDeployTemplate(ctx context.Context, id string) error {
	return rawDelete(ctx, c.SC, "deploy_templates", id)
}
