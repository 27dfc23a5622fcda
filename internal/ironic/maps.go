package ironic

import (
	"encoding/json"
	"fmt"
	"strings"
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

// sanitizeKeys is oslo.utils' list (strutils._SANITIZE_KEYS), by which Ironic masks a
// driver_info or instance_info value as "******": any key that contains one of them.
var sanitizeKeys = []string{"adminpass", "admin_pass", "password", "admin_password", "auth_token", "new_pass",
	"auth_password", "secret_uuid", "secret", "sys_pswd", "token", "configdrive", "chappassword", "encrypted_key",
	"private_key", "fernetkey", "sslkey", "passphrase", "cephclusterfsid", "octaviaheartbeatkey", "rabbitcookie",
	"cephmanilaclientkey", "pacemakerremoteauthkey", "designaterndckey", "cephadminkey", "heatauthencryptionkey",
	"cephclientkey", "keystonecredential", "barbicansimplecryptokek", "cephrgwkey", "swifthashsuffix",
	"migrationsshkey", "cephmdskey", "cephmonkey"}

// IsSecretKey reports whether Ironic masks the value of this key: its own rule, so that
// what is secret in Ironic's answers is secret in the provider's logs, and nothing else
// (an auth type of "basic" is not).
func IsSecretKey(key string) bool {
	k := strings.ToLower(key)
	for _, s := range sanitizeKeys {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}
