package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

var (
	_ resource.Resource                = (*deployTemplateResource)(nil)
	_ resource.ResourceWithConfigure   = (*deployTemplateResource)(nil)
	_ resource.ResourceWithImportState = (*deployTemplateResource)(nil)
)

// deployTemplateResource is an objectResource, whence its Metadata, Configure, Read,
// Delete and ImportState.
type deployTemplateResource struct {
	objectResource[deployTemplateModel, ironic.DeployTemplate]
}

type deployTemplateModel struct {
	stepsObjectModel
}

// NewDeployTemplateResource is the baremetal_deploy_template resource.
func NewDeployTemplateResource() resource.Resource {
	return &deployTemplateResource{objectResource[deployTemplateModel, ironic.DeployTemplate]{calls: deployTemplates}}
}

// deployStepInterfaces are the interfaces whose steps a deploy template may name.
var deployStepInterfaces = []string{"bios", "deploy", "management", "power", "raid"}

func (r *deployTemplateResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A deploy template (API 1.55, `baremetal deploy template create`): deploy steps Ironic runs " +
			"at deploy time, for example building a RAID layout or applying BIOS settings. A deployment gets them when " +
			"its `instance_info.traits` (`jsonencode([\"CUSTOM_RAID1\"])`, what a flavor's required traits become under " +
			"Nova) names the template, and the node's `traits` include that name too. Every attribute changes in place.",
		Attributes: stepsObjectAttributes("deploy template", "get the steps at deploy",
			"The deploy steps, as a JSON list: `jsonencode([{interface = \"raid\", step = "+
				"\"apply_configuration\", args = {raid_config = {...}}, priority = 150}])`. Each needs `interface` ("+
				quotedList(deployStepInterfaces)+"), `step` and a whole-number `priority` (0 disables the step; `args` defaults to `{}`). No other keys, and no step twice.",
			deployTemplateSteps()),
	}
}

// deployTemplateSteps validates what Ironic requires of each deploy template step.
func deployTemplateSteps() validator.String {
	return stepsCheck("deploy template", deployStepInterfaces, "priority", true)
}

// deployTemplates are the deploy template's calls and model mapping.
var deployTemplates = objectCalls[deployTemplateModel, ironic.DeployTemplate]{
	typeName: "deploy_template", kind: "deploy template", id: func(m *deployTemplateModel) string { return m.ID.ValueString() },
	api:  ironic.DeployTemplates,
	fill: (*deployTemplateModel).fromTemplate,
	imported: func() deployTemplateModel {
		return deployTemplateModel{stepsObjectModel{Extra: types.MapNull(types.StringType)}}
	},
	logged: map[string]string{"name": "name"},
}

func (r *deployTemplateResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.calls.createWith(ctx, r.clients, req, resp, (*deployTemplateModel).body,
		"Unable to create deploy template", func(m *deployTemplateModel) string { return m.Name.ValueString() })
}

func (r *deployTemplateResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.calls.updateWith(ctx, r.clients, req, resp, func(b *patchBuilder, plan, state *deployTemplateModel) {
		plan.patch(b, &state.stepsObjectModel)
	}, "Unable to update deploy template", "%s")
}

// fromTemplate records Ironic's view; steps keep the configured text when they mean the same.
func (m *deployTemplateModel) fromTemplate(ctx context.Context, t *ironic.DeployTemplate, diags *diag.Diagnostics) {
	m.fromIronic(ctx, &t.StepsObject, diags)
}
