package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// Every model matches its schema: each attribute has exactly one field (an embedded
// part adding a field the outer model also has, or a schema attribute without a
// field, fails every read at run time only).
func TestModelsMatchSchemas(t *testing.T) {
	ctx := context.Background()
	resources := []struct {
		r     resource.Resource
		model any
	}{
		{&nodeResource{}, &nodeResourceModel{}},
		{&portResource{}, &portResourceModel{}},
		{&deploymentResource{}, &deploymentResourceModel{}},
		{&imageResource{}, &imageResourceModel{}},
		{&allocationResource{}, &allocationResourceModel{}},
		{&portgroupResource{}, &portgroupResourceModel{}},
		{&deployTemplateResource{}, &deployTemplateModel{}},
		{&runbookResource{}, &runbookModel{}},
	}
	for _, c := range resources {
		var resp resource.SchemaResponse
		c.r.Schema(ctx, resource.SchemaRequest{}, &resp)
		st := tfsdk.State{Schema: resp.Schema, Raw: nullObject(ctx, resp.Schema.Type().TerraformType(ctx))}
		if d := st.Get(ctx, c.model); d.HasError() {
			t.Errorf("%T: %v", c.r, d)
		}
	}
	sources := []struct {
		d     datasource.DataSource
		model any
	}{
		{&nodeDataSource{}, &nodeDataSourceModel{}},
		{&nodesDataSource{}, &nodesDataSourceModel{}},
		{&shardsDataSource{}, &shardsDataSourceModel{}},
		{&nodeInventoryDataSource{}, &nodeInventoryModel{}},
	}
	for _, c := range sources {
		var resp datasource.SchemaResponse
		c.d.Schema(ctx, datasource.SchemaRequest{}, &resp)
		st := tfsdk.State{Schema: resp.Schema, Raw: nullObject(ctx, resp.Schema.Type().TerraformType(ctx))}
		if d := st.Get(ctx, c.model); d.HasError() {
			t.Errorf("%T: %v", c.d, d)
		}
	}
}

// nullObject is an object of this type whose attributes are all null.
func nullObject(_ context.Context, typ tftypes.Type) tftypes.Value {
	obj := typ.(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, at := range obj.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	return tftypes.NewValue(typ, vals)
}
