package ironic

import (
	"encoding/json"
	"maps"
	"testing"
)

func TestUnmaskSecrets(t *testing.T) {
	configured := map[string]string{"ipmi_password": "s3cret", "ipmi_address": "10.0.0.1", "ipmi_username": "admin"}
	cases := []struct {
		name   string
		remote map[string]string
		want   map[string]string
	}{
		{"masked keeps configured", map[string]string{"ipmi_password": Masked, "ipmi_address": "10.0.0.1", "ipmi_username": "admin"}, configured},
		{"unmasked drift shows", map[string]string{"ipmi_password": Masked, "ipmi_address": "10.9.9.9", "ipmi_username": "admin"},
			map[string]string{"ipmi_password": "s3cret", "ipmi_address": "10.9.9.9", "ipmi_username": "admin"}},
		{"removed out of band disappears", map[string]string{"ipmi_address": "10.0.0.1", "ipmi_username": "admin"},
			map[string]string{"ipmi_address": "10.0.0.1", "ipmi_username": "admin"}},
		{"secret not configured here is left out", map[string]string{"ipmi_password": Masked, "ipmi_address": "10.0.0.1", "ipmi_username": "admin", "snmp_auth_key": Masked},
			map[string]string{"ipmi_password": "s3cret", "ipmi_address": "10.0.0.1", "ipmi_username": "admin"}},
		{"nil remote", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := UnmaskSecrets(c.remote, configured); !maps.Equal(got, c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestStringMap(t *testing.T) {
	var in map[string]any
	if err := json.Unmarshal([]byte(`{"s":"x","n":8,"f":1.5,"b":true,"o":{"a":1},"z":null}`), &in); err != nil {
		t.Fatal(err)
	}
	got := StringMap(in)
	want := map[string]string{"s": "x", "n": "8", "f": "1.5", "b": "true", "o": `{"a":1}`, "z": ""}
	if !maps.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if StringValue(json.Number("12345678901234567890")) != "12345678901234567890" {
		t.Fatal("json.Number not kept exact")
	}
}
