package ironic

import (
	"encoding/json"
	"fmt"
)

// Masked is how Ironic returns secret driver_info values (passwords, keys).
const Masked = "******"

// StringMap renders an Ironic JSON object as strings: strings as they are, anything else
// (numbers, booleans, nested objects) as compact JSON.
func StringMap(in map[string]any) map[string]string {
	if in == nil {
		return nil
	}
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[k] = StringValue(v)
	}
	return out
}

// StringValue renders one JSON value as a string.
func StringValue(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case nil:
		return ""
	case json.Number:
		return t.String()
	default:
		b, err := json.Marshal(t)
		if err != nil {
			return fmt.Sprint(t)
		}
		return string(b)
	}
}

// AnyMap turns configured strings into the JSON object Ironic stores.
func AnyMap(in map[string]string) map[string]any {
	if in == nil {
		return nil
	}
	out := make(map[string]any, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

// UnmaskSecrets merges what Ironic returned with what was configured: a value Ironic
// masks keeps the configured one (Ironic never returns it, so it cannot drift visibly),
// every other value is Ironic's, so out-of-band changes show up as drift.
// A masked key that was not configured (a write-only secret, one set before an import
// or out of band) is left out: nothing can be known or managed of it through this map,
// and listing it would plan its removal, which would wipe a password Ironic holds.
func UnmaskSecrets(remote map[string]string, configured map[string]string) map[string]string {
	if remote == nil {
		return nil
	}
	out := make(map[string]string, len(remote))
	for k, v := range remote {
		if v == Masked {
			c, ok := configured[k]
			if !ok {
				continue
			}
			v = c
		}
		out[k] = v
	}
	return out
}
