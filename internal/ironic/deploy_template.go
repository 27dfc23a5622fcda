package ironic

import (
	"context"

	"github.com/gophercloud/gophercloud/v2"
)

// DeployTemplate is a named set of deploy steps (API 1.55) that Ironic runs when a node
// whose traits include the template's name is deployed. gophercloud does not wrap it.
type DeployTemplate struct {
	UUID  string           `json:"uuid"`
	Name  string           `json:"name"`
	Steps []map[string]any `json:"steps"`
	Extra map[string]any   `json:"extra"`
}

// CreateDeployTemplate creates one from a body carrying a UUID chosen by the caller, so a
// request whose answer was lost is never sent twice.
func CreateDeployTemplate(ctx context.Context, sc *gophercloud.ServiceClient, policy *RetryPolicy, body map[string]any) (*DeployTemplate, error) {
	return createObject[DeployTemplate](ctx, sc, policy, "deploy template", "deploy_templates", body)
}

// GetDeployTemplate reads one by UUID or name.
func GetDeployTemplate(ctx context.Context, sc *gophercloud.ServiceClient, id string) (*DeployTemplate, error) {
	return getObject[DeployTemplate](ctx, sc, "deploy_templates", id)
}

// UpdateDeployTemplate applies a JSON patch; with no operations it reads it.
func UpdateDeployTemplate(ctx context.Context, sc *gophercloud.ServiceClient, id string, ops []PatchOp) (*DeployTemplate, error) {
	return updateObject[DeployTemplate](ctx, sc, "deploy_templates", id, ops)
}

// DeleteDeployTemplate deletes a template; one already gone counts as deleted.
func DeleteDeployTemplate(ctx context.Context, sc *gophercloud.ServiceClient, id string) error {
	return rawDelete(ctx, sc, "deploy_templates", id)
}
