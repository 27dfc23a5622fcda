package ironic

import (
	"fmt"
	"net"
	"strings"
)

// NormalizeMAC returns the MAC address in Ironic's stored form: six colon-separated,
// lower-case octets. Ironic accepts only 48-bit addresses.
func NormalizeMAC(s string) (string, error) {
	hw, err := net.ParseMAC(s)
	if err != nil || len(hw) != 6 || strings.Count(s, ":") != 5 {
		return "", fmt.Errorf("%q is not a MAC address of the form 52:54:00:12:34:56", s)
	}
	return hw.String(), nil
}
