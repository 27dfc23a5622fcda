package provider

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// stringCheck is a string validator built from a check function; it skips null and
// unknown values, which other validators or apply-time checks cover.
type stringCheck struct {
	description string
	summary     string
	check       func(string) error
}

func (v stringCheck) Description(context.Context) string         { return v.description }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.description }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, fmt.Sprintf("%s: %s.", req.Path, err))
	}
}

func httpURL() validator.String {
	return stringCheck{"must be an http or https URL", "Invalid URL", checkHTTPURL}
}

func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http:// or https:// URL with a host, such as http://127.0.0.1:6385", s)
	}
	return nil
}

func microversion() validator.String {
	return stringCheck{"must be a microversion such as 1.78", "Invalid microversion", func(s string) error {
		_, err := ironic.ParseVersion(s)
		return err
	}}
}

func duration() validator.String {
	return stringCheck{"must be a Go duration such as 90s or 5m", "Invalid duration", func(s string) error {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return fmt.Errorf("%q is not a non-negative duration such as 90s or 5m", s)
		}
		return nil
	}}
}

// positiveDuration refuses zero, negative and unparsable durations: a timeout of "-5m"
// would expire before the operation starts.
func positiveDuration() validator.String {
	return stringCheck{"must be a positive Go duration such as 30s or 20m", "Invalid duration", func(s string) error {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return fmt.Errorf("%q is not a positive duration such as 30s or 20m", s)
		}
		return nil
	}}
}

func macAddress() validator.String {
	return stringCheck{"must be a MAC address such as 52:54:00:12:34:56", "Invalid MAC address", func(s string) error {
		_, err := ironic.NormalizeMAC(s)
		return err
	}}
}

// nodeUUID refuses what is not a UUID in canonical form: Ironic stores a node link
// (parent_node) as the linked node's UUID, so a name would come back changed.
func nodeUUID() validator.String {
	return stringCheck{"must be a node UUID", "Invalid node UUID", func(s string) error {
		if u, err := uuid.Parse(s); err != nil || u.String() != s {
			return fmt.Errorf("%q is not a node UUID in lower-case canonical form (Ironic stores the linked node's UUID, "+
				"so use the node's id, for example baremetal_node.host.id)", s)
		}
		return nil
	}}
}
