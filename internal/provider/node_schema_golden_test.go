package provider

import (
	"context"
	"flag"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/*.golden from the current schemas")

// The node resource's and data source's schemas, attribute by attribute, are what
// testdata says: the field table may reorganise how they are built, never what they are
// (go test ./internal/provider -run TestNodeSchemaGolden -update-golden rewrites them
// after an intended change; review the diff).
func TestNodeSchemaGolden(t *testing.T) {
	ctx := context.Background()
	var rresp resource.SchemaResponse
	(&nodeResource{}).Schema(ctx, resource.SchemaRequest{}, &rresp)
	var dresp datasource.SchemaResponse
	(&nodeDataSource{}).Schema(ctx, datasource.SchemaRequest{}, &dresp)
	cases := map[string]string{
		"testdata/node_resource_schema.golden":    dumpResourceSchema(ctx, rresp.Schema),
		"testdata/node_data_source_schema.golden": dumpDataSourceSchema(ctx, dresp.Schema),
	}
	for file, got := range cases {
		if *updateGolden {
			if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("%s differs from the schema (rewrite it with -update-golden if intended):\n%s", file, lineDiff(string(want), got))
		}
	}
}

func dumpResourceSchema(ctx context.Context, s rschema.Schema) string {
	var b strings.Builder
	fmt.Fprintf(&b, "version %d\n%s\n", s.Version, s.MarkdownDescription)
	dumpAttrs(ctx, &b, "", anyAttrs(s.Attributes))
	return b.String()
}

func dumpDataSourceSchema(ctx context.Context, s dschema.Schema) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", s.MarkdownDescription)
	dumpAttrs(ctx, &b, "", anyAttrs(s.Attributes))
	return b.String()
}

func anyAttrs[A any](m map[string]A) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// describer is what validators and plan modifiers share.
type describer interface {
	Description(context.Context) string
}

// dumpAttrs writes one block per attribute: its kind, flags, description, validators and
// plan modifiers (by their descriptions: the types may move between packages), nested
// attributes below it.
func dumpAttrs(ctx context.Context, b *strings.Builder, prefix string, attrs map[string]any) {
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := attrs[n]
		type common interface {
			GetMarkdownDescription() string
			IsRequired() bool
			IsOptional() bool
			IsComputed() bool
			IsSensitive() bool
		}
		c := a.(common)
		fmt.Fprintf(b, "\n%s%s: %T required=%v optional=%v computed=%v sensitive=%v\n", prefix, n, a,
			c.IsRequired(), c.IsOptional(), c.IsComputed(), c.IsSensitive())
		if et, ok := a.(interface {
			GetType() attr.Type
		}); ok {
			fmt.Fprintf(b, "  type: %s\n", et.GetType().String())
		}
		fmt.Fprintf(b, "  doc: %s\n", c.GetMarkdownDescription())
		for _, d := range describers(a) {
			fmt.Fprintf(b, "  %s\n", d)
		}
		if nested := nestedAttrs(a); nested != nil {
			dumpAttrs(ctx, b, prefix+n+".", nested)
		}
	}
}

// describers lists an attribute's validators, plan modifiers and default by
// description (every attribute type holds them in fields of these names).
func describers(a any) []string {
	ctx := context.Background()
	var out []string
	v := reflect.ValueOf(a)
	for _, field := range []struct{ name, kind string }{{"Validators", "validator"}, {"PlanModifiers", "modifier"}, {"Default", "default"}} {
		f := v.FieldByName(field.name)
		if !f.IsValid() {
			continue
		}
		if f.Kind() != reflect.Slice {
			if !f.IsNil() {
				out = append(out, field.kind+": "+f.Interface().(describer).Description(ctx))
			}
			continue
		}
		for i := 0; i < f.Len(); i++ {
			out = append(out, field.kind+": "+f.Index(i).Interface().(describer).Description(ctx))
		}
	}
	return out
}

func nestedAttrs(a any) map[string]any {
	switch a := a.(type) {
	case rschema.ListNestedAttribute:
		return anyAttrs(a.NestedObject.Attributes)
	case rschema.SetNestedAttribute:
		return anyAttrs(a.NestedObject.Attributes)
	case rschema.SingleNestedAttribute:
		return anyAttrs(a.Attributes)
	case dschema.ListNestedAttribute:
		return anyAttrs(a.NestedObject.Attributes)
	case dschema.SingleNestedAttribute:
		return anyAttrs(a.Attributes)
	}
	return nil
}

// lineDiff lists the lines only one side has, "-" the golden file's, "+" the schema's.
func lineDiff(want, got string) string {
	count := func(s string) map[string]int {
		m := map[string]int{}
		for _, l := range strings.Split(s, "\n") {
			m[l]++
		}
		return m
	}
	w, g := count(want), count(got)
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if g[l] > 0 {
			g[l]--
		} else {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if w[l] > 0 {
			w[l]--
		} else {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	return b.String()
}
