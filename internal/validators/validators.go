// Package validators holds the provider's attribute validators that belong to no one
// resource: the forms of a string (a URL, a duration, a microversion, a MAC address, a
// UUID, JSON, a trait name). Each skips null and unknown values, which other
// validators or apply-time checks cover, and names the attribute in its detail.
package validators

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/metalform/terraform-provider-baremetal/internal/image"
	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// StringCheck is a string validator built from a check function: an error from check
// is an attribute error with the given summary.
func StringCheck(description, summary string, check func(string) error) validator.String {
	return stringCheck{description, summary, check}
}

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

// HTTPURL accepts an http or https URL with a host.
func HTTPURL() validator.String {
	return StringCheck("must be an http or https URL", "Invalid URL", CheckHTTPURL)
}

// CheckHTTPURL is HTTPURL's check, for values that come from elsewhere (an
// environment variable).
func CheckHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http:// or https:// URL with a host, such as http://127.0.0.1:6385", s)
	}
	return nil
}

// Microversion accepts an Ironic API microversion such as 1.78.
func Microversion() validator.String {
	return StringCheck("must be a microversion such as 1.78", "Invalid microversion", func(s string) error {
		_, err := ironic.ParseVersion(s)
		return err
	})
}

// Duration accepts a non-negative Go duration.
func Duration() validator.String {
	return StringCheck("must be a Go duration such as 90s or 5m", "Invalid duration", func(s string) error {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return fmt.Errorf("%q is not a non-negative duration such as 90s or 5m", s)
		}
		return nil
	})
}

// PositiveDuration refuses zero, negative and unparsable durations: a timeout of "-5m"
// would expire before the operation starts.
func PositiveDuration() validator.String {
	return StringCheck("must be a positive Go duration such as 30s or 20m", "Invalid duration", func(s string) error {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return fmt.Errorf("%q is not a positive duration such as 30s or 20m", s)
		}
		return nil
	})
}

// MACAddress accepts a MAC address in any case or separator style Ironic takes.
func MACAddress() validator.String {
	return StringCheck("must be a MAC address such as 52:54:00:12:34:56", "Invalid MAC address", func(s string) error {
		_, err := ironic.NormalizeMAC(s)
		return err
	})
}

// NodeUUID refuses what is not a UUID in canonical form: Ironic stores a node link
// (parent_node) as the linked node's UUID, so a name would come back changed.
func NodeUUID() validator.String {
	return StringCheck("must be a node UUID", "Invalid node UUID", func(s string) error {
		if u, err := uuid.Parse(s); err != nil || u.String() != s {
			return fmt.Errorf("%q is not a node UUID in lower-case canonical form (Ironic stores the linked node's UUID, "+
				"so use the node's id, for example baremetal_node.host.id)", s)
		}
		return nil
	})
}

// JSONText validates a JSON document of the given kind ("a list" or "an object").
func JSONText(kind string) validator.String {
	return StringCheck("must be JSON: "+kind, "Invalid JSON", func(s string) error {
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return fmt.Errorf("not valid JSON (%v); build it with jsonencode()", err)
		}
		_, isList := v.([]any)
		_, isObject := v.(map[string]any)
		if (kind == "a list" && !isList) || (kind == "an object" && !isObject) {
			return fmt.Errorf("must be a JSON %s", strings.TrimPrefix(strings.TrimPrefix(kind, "an "), "a "))
		}
		return nil
	})
}

// StepList validates a JSON list of deploy or clean steps: each names its interface and
// step. Text that is not a JSON list passes: JSONText reports it.
func StepList() validator.String {
	return StringCheck("each step has \"interface\" and \"step\"", "Invalid steps", func(s string) error {
		var steps []map[string]any
		if json.Unmarshal([]byte(s), &steps) != nil {
			return nil // JSONText reports it
		}
		for i, st := range steps {
			for _, key := range []string{"interface", "step"} {
				if _, ok := st[key].(string); !ok {
					return fmt.Errorf("step %d has no %q", i, key)
				}
			}
		}
		return nil
	})
}

// ImageURL accepts an image source the image engine can fetch.
func ImageURL() validator.String {
	return StringCheck("must be an http://, https://, file:/// or oci:// URL", "Invalid image URL", func(s string) error {
		_, _, err := image.ParseSource(s)
		return err
	})
}
