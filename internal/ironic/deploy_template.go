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

// CreateDeployTemplate creates a template whose body carries a UUID chosen by the
// caller, so a request whose answer was lost is never sent twice.
func CreateDeployTemplate(ctx context.Context, sc *gophercloud.ServiceClient, policy *RetryPolicy, body map[string]any) (*DeployTemplate, error) {
	uuid, _ := body["uuid"].(string)
	return createOnce(ctx, policy, "deploy template", uuid,
		func() (*DeployTemplate, error) {
			var t DeployTemplate
			return &t, rawPost(ctx, sc, body, &t, "deploy_templates")
		},
		func() (*DeployTemplate, error) { return GetDeployTemplate(ctx, sc, uuid) })
}

// GetDeployTemplate reads a template by UUID or name.
func GetDeployTemplate(ctx context.Context, sc *gophercloud.ServiceClient, id string) (*DeployTemplate, error) {
	var t DeployTemplate
	if err := rawGet(ctx, sc, &t, "deploy_templates", id); err != nil {
		return nil, err
	}
	return &t, nil
}

// UpdateDeployTemplate applies a JSON patch; with no operations it reads the template.
func UpdateDeployTemplate(ctx context.Context, sc *gophercloud.ServiceClient, id string, ops []PatchOp) (*DeployTemplate, error) {
	if len(ops) == 0 {
		return GetDeployTemplate(ctx, sc, id)
	}
	var t DeployTemplate
	if err := rawPatch(ctx, sc, ops, &t, "deploy_templates", id); err != nil {
		return nil, err
	}
	return &t, nil
}

// DeleteDeployTemplate deletes a template; one already gone counts as deleted.
func DeleteDeployTemplate(ctx context.Context, sc *gophercloud.ServiceClient, id string) error {
	return rawDelete(ctx, sc, "deploy_templates", id)
}
