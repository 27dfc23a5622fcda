package ironic

import (
	"context"
	"sort"
	"strings"
)

// ReadBIOS is what the node holds of the wanted BIOS settings (BIOSAsConfigured).
func (c *Client) ReadBIOS(ctx context.Context, id string, want map[string]string) (map[string]string, error) {
	settings, err := c.BIOSSettings(ctx, id)
	if err != nil {
		return nil, err
	}
	return BIOSAsConfigured(want, settings), nil
}

// BIOSValues is the BIOS settings Ironic lists, name to value (settings without a value
// left out).
func BIOSValues(settings []BIOSSetting) map[string]string {
	m := make(map[string]string, len(settings))
	for _, s := range settings {
		if s.Value != nil {
			m[s.Name] = *s.Value
		}
	}
	return m
}

// SameBIOSValue: BMCs report a value they were given in their own case and spacing.
func SameBIOSValue(configured, read string) bool {
	return strings.EqualFold(strings.TrimSpace(configured), strings.TrimSpace(read))
}

// BIOSAsConfigured is what the node holds of the wanted settings, as Ironic lists them:
// only the settings named in want, each in want's spelling where the BMC's means the
// same ("enabled" read back as "Enabled"). A wanted setting Ironic does not list is
// left out.
func BIOSAsConfigured(want map[string]string, settings []BIOSSetting) map[string]string {
	got := BIOSValues(settings)
	for k, v := range got {
		switch w, ok := want[k]; {
		case !ok:
			delete(got, k) // only the settings named here are compared; the rest belong to the machine
		case SameBIOSValue(w, v):
			got[k] = w
		}
	}
	return got
}

// BIOSMismatch is a setting the node holds with another value than the wanted one.
type BIOSMismatch struct{ Name, Wanted, Held string }

// BIOSNotApplied lists, by name, the wanted settings held (as BIOSAsConfigured reports
// them) with another value: the BMC refused or ignored them. A setting not held at all
// is not listed.
func BIOSNotApplied(want, held map[string]string) []BIOSMismatch {
	var off []BIOSMismatch
	for k, w := range want {
		if g, ok := held[k]; ok && g != w {
			off = append(off, BIOSMismatch{Name: k, Wanted: w, Held: g})
		}
	}
	sort.Slice(off, func(i, j int) bool { return off[i].Name < off[j].Name })
	return off
}
