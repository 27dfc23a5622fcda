package ironic

import "testing"

func TestNormalizeMAC(t *testing.T) {
	good := map[string]string{
		"52:54:00:AB:cd:EF": "52:54:00:ab:cd:ef",
		"52:54:00:12:34:56": "52:54:00:12:34:56",
	}
	for in, want := range good {
		if got, err := NormalizeMAC(in); err != nil || got != want {
			t.Errorf("NormalizeMAC(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "52:54:00:12:34", "52-54-00-12-34-56", "5254.0012.3456", "zz:54:00:12:34:56",
		"00:00:00:00:fe:80:00:00:00:00:00:00:02:00:5e:10:00:00:00:01", " 52:54:00:12:34:56"} {
		if _, err := NormalizeMAC(bad); err == nil {
			t.Errorf("NormalizeMAC(%q) accepted", bad)
		}
	}
}

func FuzzNormalizeMAC(f *testing.F) {
	for _, s := range []string{"52:54:00:12:34:56", "52:54:00:AB:CD:EF", "", "1:2:3:4:5:6"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := NormalizeMAC(s)
		if err != nil {
			return
		}
		again, err := NormalizeMAC(got)
		if err != nil || again != got || len(got) != 17 {
			t.Fatalf("NormalizeMAC(%q) = %q, not a fixed point (%q, %v)", s, got, again, err)
		}
	})
}
