package ironic

import "testing"

func TestNegotiate(t *testing.T) {
	cases := []struct {
		name, min, max, req, want, wantErr string
	}{
		{name: "server newer than us", min: "1.1", max: "1.99", want: MaxMicroversion},
		{name: "server older than us", min: "1.1", max: "1.70", want: "1.70"},
		{name: "same", min: "1.1", max: "1.82", want: "1.82"},
		{name: "requested within range", min: "1.1", max: "1.82", req: "1.70", want: "1.70"},
		{name: "requested above server", min: "1.1", max: "1.80", req: "1.81", wantErr: "outside the server's range 1.1 to 1.80"},
		{name: "requested below floor", min: "1.1", max: "1.82", req: "1.50", wantErr: "older than 1.65"},
		{name: "requested garbage", min: "1.1", max: "1.82", req: "latest", wantErr: "not a microversion"},
		{name: "server too old", min: "1.1", max: "1.46", wantErr: "needs 1.65 or newer"},
		{name: "no server min", max: "1.82", want: "1.82"},
		{name: "bad server max", max: "x", wantErr: "server reported maximum"},
		{name: "minor compare is numeric", min: "1.1", max: "1.100", want: MaxMicroversion},
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
