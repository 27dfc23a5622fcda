package ironic

import (
	"strings"
	"testing"
)

func TestNegotiate(t *testing.T) {
	cases := []struct {
		name, min, max, req, want, wantErr string
	}{
		{name: "server newer than us", min: "1.1", max: "1.120", want: MaxMicroversion},
		{name: "server older than us", min: "1.1", max: "1.70", want: "1.70"},
		{name: "same", min: "1.1", max: "1.82", want: "1.82"},
		{name: "requested within range", min: "1.1", max: "1.82", req: "1.70", want: "1.70"},
		{name: "requested above server", min: "1.1", max: "1.80", req: "1.81", wantErr: "outside the server's range 1.1 to 1.80"},
		{name: "requested below floor", min: "1.1", max: "1.82", req: "1.50", wantErr: "older than 1.65"},
		{name: "requested garbage", min: "1.1", max: "1.82", req: "latest", wantErr: "not a microversion"},
		{name: "server too old", min: "1.1", max: "1.46", wantErr: "needs 1.65 or newer"},
		{name: "no server min", max: "1.82", want: "1.82"},
		{name: "bad server max", max: "x", wantErr: "server reported maximum"},
		{name: "minor compare is numeric", min: "1.1", max: "1.100", want: "1.100"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Negotiate(c.min, c.max, c.req)
			if c.wantErr != "" {
				if err == nil || !contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("Negotiate = %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestParseVersion(t *testing.T) {
	for _, bad := range []string{"", "1", "1.", ".1", "a.b", "1.-2", "1.+2", "latest"} {
		if _, err := ParseVersion(bad); err == nil {
			t.Errorf("ParseVersion(%q) accepted", bad)
		}
	}
	if v, err := ParseVersion(" 1.65 "); err != nil || v != (Version{1, 65}) {
		t.Errorf("ParseVersion(1.65) = %v, %v", v, err)
	}
}

// A requested microversion newer than the provider knows is refused, not silently used.
func TestNegotiateRefusesUnknownNewerVersions(t *testing.T) {
	if _, err := Negotiate("1.1", "1.200", "1.199"); err == nil || !strings.Contains(err.Error(), "newest this provider knows") {
		t.Fatalf("got %v", err)
	}
	if v, err := Negotiate("1.1", "1.200", MaxMicroversion); err != nil || v != MaxMicroversion {
		t.Fatalf("the newest known: %v %v", v, err)
	}
}

// The feature table is ordered, names releases, and its newest entry is the newest
// microversion the provider negotiates.
func TestFeatureTable(t *testing.T) {
	prev, _ := ParseVersion(MinMicroversion)
	for _, f := range Features {
		v, err := ParseVersion(f.Version)
		if err != nil || v.Less(prev) || f.Release == "" {
			t.Errorf("%+v out of order or without a release", f)
		}
		prev = v
	}
	if prev.String() != MaxMicroversion {
		t.Errorf("the newest feature needs %s, the provider negotiates up to %s", prev, MaxMicroversion)
	}
	if err := FeatureNamed("disable_power_off").Check("1.82"); err == nil ||
		err.Error() != "`disable_power_off` needs API 1.95, Ironic 28.0 or newer; this Ironic offers 1.82" {
		t.Fatalf("got %v", err)
	}
	if FeatureNamed("health").Check("1.111") != nil || !FeatureNamed("parent_node").Available("1.83") {
		t.Fatal("available features reported missing")
	}
}
