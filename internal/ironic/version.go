package ironic

import (
	"fmt"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/utils"
)

// Microversions this provider knows. MinMicroversion brings lessee (1.65);
// MaxMicroversion is the newest one the whole acceptance suite runs at, against Ironic
// 35 (2026.1); the suite also runs against Ironic 21.4 (2023.1), at 1.82.
const (
	MinMicroversion = "1.65"
	MaxMicroversion = "1.111"
)

// Version is an Ironic API microversion such as 1.82.
type Version struct{ Major, Minor int }

// ParseVersion reads "1.82"; "latest" and anything else is an error. Gophercloud's
// parser takes a sign ("1.+2", "1.-2"), which is refused here.
func ParseVersion(s string) (Version, error) {
	major, minor, err := utils.ParseMicroversion(strings.TrimSpace(s))
	if err != nil || strings.ContainsAny(s, "+-") {
		return Version{}, fmt.Errorf("%q is not a microversion of the form 1.NN", s)
	}
	return Version{major, minor}, nil
}

func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// Less reports whether v is older than o.
func (v Version) Less(o Version) bool {
	if v.Major != o.Major {
		return v.Major < o.Major
	}
	return v.Minor < o.Minor
}

// Negotiate picks the microversion to use with a server offering [serverMin, serverMax].
// With requested empty it is the highest both sides support; a requested version must be
// within the server's range. Either way it must be at least MinMicroversion.
func Negotiate(serverMin, serverMax, requested string) (string, error) {
	ours, _ := ParseVersion(MaxMicroversion)
	floor, _ := ParseVersion(MinMicroversion)
	smax, err := ParseVersion(serverMax)
	if err != nil {
		return "", fmt.Errorf("server reported maximum API version: %w", err)
	}
	smin := Version{1, 1}
	if serverMin != "" {
		if smin, err = ParseVersion(serverMin); err != nil {
			return "", fmt.Errorf("server reported minimum API version: %w", err)
		}
	}
	if requested != "" {
		want, err := ParseVersion(requested)
		if err != nil {
			return "", err
		}
		if want.Less(smin) || smax.Less(want) {
			return "", fmt.Errorf("microversion %s is outside the server's range %s to %s", want, smin, smax)
		}
		if want.Less(floor) {
			return "", fmt.Errorf("microversion %s is older than %s, the oldest this provider supports", want, floor)
		}
		if ours.Less(want) {
			// Never used on trust: what the provider sends and reads is proven up to its maximum.
			return "", fmt.Errorf("microversion %s is newer than %s, the newest this provider knows (and was tested with)", want, ours)
		}
		return want.String(), nil
	}
	if smax.Less(floor) {
		return "", fmt.Errorf("the server supports API versions up to %s, but this provider needs %s or newer (Ironic 15.0, Ussuri)", smax, floor)
	}
	if ours.Less(smax) {
		return ours.String(), nil
	}
	return smax.String(), nil
}
