package ironic

import "fmt"

// Feature is a part of Ironic's API newer than the oldest microversion this provider
// works with: what the user sees of it (an attribute or an action), the microversion
// that brings it and the first Ironic release with that microversion (read from
// Ironic's own history).
type Feature struct {
	Name    string
	Version string
	Release string
}

// Features are the API parts after MinMicroversion the provider knows. A feature used through an
// attribute is checked against the negotiated microversion at plan time (Feature.Check);
// the newest one here is MaxMicroversion, the newest proven against a real Ironic.
var Features = []Feature{
	{"boot mode fields", "1.75", "18.1"}, // reading the node's boot_mode and secure_boot
	{"boot_mode", "1.76", "18.2"},
	{"secure_boot", "1.76", "18.2"},
	{"parent_node", "1.83", "22.0"},
	{"unhold", "1.85", "22.1"},
	{"firmware_interface", "1.86", "22.1"},
	{"servicing", "1.87", "23.0"},
	{"port name", "1.88", "23.1"},
	{"runbooks", "1.92", "26.1"},
	{"disable_power_off", "1.95", "28.0"},
	// oci:// image sources have no microversion of their own: they came with Ironic 29.0
	// (2025.1), whose API starts at 1.96.
	{"oci:// images", "1.96", "29.0"},
	{"port description", "1.97", "30.0"},
	{"port vendor", "1.100", "32.0"},
	{"port category", "1.101", "32.0"},
	{"instance_name", "1.104", "33.0"},
	{"health", "1.109", "34.0"},
	{"abort in deploy wait", "1.110", "35.0"},
	{"dynamic port groups", "1.111", "35.0"},
}

// FeatureNamed is the feature of that name; it panics on a name the table lacks (a
// programming error).
func FeatureNamed(name string) Feature {
	for _, f := range Features {
		if f.Name == name {
			return f
		}
	}
	panic("ironic: no feature " + name)
}

// Available reports whether a server speaking this microversion has the feature.
func (f Feature) Available(negotiated string) bool {
	have, err1 := ParseVersion(negotiated)
	want, err2 := ParseVersion(f.Version)
	return err1 == nil && err2 == nil && !have.Less(want)
}

// Check says, when the microversion lacks the feature, what it needs, in the words of a
// plan-time diagnostic: "`disable_power_off` needs API 1.95, Ironic 28.0 or newer; this
// Ironic offers 1.82".
func (f Feature) Check(negotiated string) error {
	if f.Available(negotiated) {
		return nil
	}
	return fmt.Errorf("`%s` needs API %s, Ironic %s or newer; this Ironic offers %s", f.Name, f.Version, f.Release, negotiated)
}
