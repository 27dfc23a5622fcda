package ironic

import (
	"context"
	"fmt"
	"testing"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

func TestDecideHardware(t *testing.T) {
	held := &nodes.Node{Maintenance: true, MaintenanceReason: "BMC unreachable"}
	for _, c := range []struct {
		state        string
		allow        bool
		microversion string
		live         *nodes.Node
		want         HardwareVerdict
	}{
		{"", false, "", nil, HardwareVerdict{}}, // a create: cleaning
		{"manageable", false, "1.87", nil, HardwareVerdict{}},
		{"available", true, "1.87", nil, HardwareVerdict{}},
		{"manageable", false, "1.87", &nodes.Node{}, HardwareVerdict{}},
		{"manageable", false, "1.87", held, HardwareVerdict{HeldInMaintenance: true, MaintenanceReason: "BMC unreachable"}}, // cleaning refused until lifted
		{"active", true, "1.87", nil, HardwareVerdict{Servicing: true}},
		{"active", true, "", nil, HardwareVerdict{Servicing: true}}, // no connection: not checked
		{"active", false, "1.87", nil, HardwareVerdict{Servicing: true, Refused: RefusedNotAllowed}},
		{"deploying", true, "1.87", nil, HardwareVerdict{Servicing: true, Refused: RefusedNotActive}},
		{"deploy failed", true, "1.87", nil, HardwareVerdict{Servicing: true, Refused: RefusedNotActive}},
		{"service failed", true, "1.87", nil, HardwareVerdict{Servicing: true, AbortFirst: true}},
		{"service failed", true, "1.87", &nodes.Node{}, HardwareVerdict{Servicing: true, AbortFirst: true}},
		{"service failed", true, "1.87", held, HardwareVerdict{Servicing: true, AbortFirst: true, HeldInMaintenance: true, MaintenanceReason: "BMC unreachable"}},
		{"service failed", false, "1.87", held, HardwareVerdict{Servicing: true, Refused: RefusedNotAllowed}},
	} {
		if got := DecideHardware(c.state, c.allow, c.microversion, c.live); got != c.want {
			t.Errorf("%q allow=%v %q: %+v, want %+v", c.state, c.allow, c.microversion, got, c.want)
		}
	}
	v := DecideHardware("active", true, "1.80", nil)
	if v.Refused != RefusedNoServicingAPI || v.Err == nil || !contains(v.Err.Error(), "1.87") {
		t.Errorf("an Ironic without servicing: %+v", v)
	}
}

func TestBIOSAsConfigured(t *testing.T) {
	s := func(v string) *string { return &v }
	settings := []BIOSSetting{
		{Name: "BootMode", Value: s("Uefi")},
		{Name: "ProcTurboMode", Value: s(" Enabled ")},
		{Name: "Hyperthreading", Value: s("Disabled")},
		{Name: "Unlisted", Value: s("x")},
		{Name: "NoValue"},
	}
	for _, c := range []struct {
		want, held map[string]string
		off        string
	}{
		{map[string]string{}, map[string]string{}, "[]"},
		// The configured spelling of what the BMC holds in its own case and spacing.
		{map[string]string{"BootMode": "uefi", "ProcTurboMode": "enabled"}, map[string]string{"BootMode": "uefi", "ProcTurboMode": "enabled"}, "[]"},
		// Another value is what the node holds: not applied.
		{map[string]string{"Hyperthreading": "Enabled"}, map[string]string{"Hyperthreading": "Disabled"}, "[{Hyperthreading Enabled Disabled}]"},
		// A setting Ironic does not list (or lists without a value) is left out.
		{map[string]string{"Missing": "1", "NoValue": "1", "BootMode": "Bios"}, map[string]string{"BootMode": "Uefi"}, "[{BootMode Bios Uefi}]"},
	} {
		held := BIOSAsConfigured(c.want, settings)
		if fmt.Sprint(held) != fmt.Sprint(c.held) {
			t.Errorf("%v: held %v, want %v", c.want, held, c.held)
		}
		if off := fmt.Sprint(BIOSNotApplied(c.want, held)); off != c.off {
			t.Errorf("%v: not applied %s, want %s", c.want, off, c.off)
		}
	}
	if len(BIOSValues(settings)) != 4 {
		t.Errorf("values %v", BIOSValues(settings))
	}
}

func TestBIOSNotAppliedSorted(t *testing.T) {
	off := BIOSNotApplied(map[string]string{"b": "1", "a": "1", "c": "1"}, map[string]string{"a": "2", "b": "2", "c": "1"})
	if fmt.Sprint(off) != "[{a 1 2} {b 1 2}]" {
		t.Fatal(off)
	}
}

func TestReadBIOS(t *testing.T) {
	f, p := newFakeNodeAPI(t, fakeNodeIn("n1", "manageable"))
	v := "Enabled"
	f.bios = []BIOSSetting{{Name: "ProcTurboMode", Value: &v}, {Name: "Other", Value: &v}}
	got, err := p.ReadBIOS(context.Background(), "n1", map[string]string{"ProcTurboMode": "enabled"})
	if err != nil || fmt.Sprint(got) != "map[ProcTurboMode:enabled]" {
		t.Fatalf("%v %v", got, err)
	}
	f.fail["GET /nodes/n1/bios"] = 500
	if _, err := p.ReadBIOS(context.Background(), "n1", map[string]string{"a": "b"}); err == nil {
		t.Fatal("a failed read passed")
	}
}
