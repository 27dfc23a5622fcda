package ironic

import (
	"context"
	"sort"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

// SetTraits replaces the node's traits (PUT /v1/nodes/{id}/traits, API 1.37), which
// gophercloud does not wrap.
func (c *Client) SetTraits(ctx context.Context, id string, traits []string) error {
	if traits == nil {
		traits = []string{}
	}
	sorted := append([]string(nil), traits...)
	sort.Strings(sorted)
	return rawPut(ctx, c.SC, map[string]any{"traits": sorted}, "nodes", id, "traits")
}

// SetTargetRAIDConfig stores the RAID layout Ironic should build at the next RAID clean
// or deploy step (PUT /v1/nodes/{id}/states/raid). It changes no disk by itself. An
// empty config clears it.
func (c *Client) SetTargetRAIDConfig(ctx context.Context, id string, cfg map[string]any) error {
	if cfg == nil {
		cfg = map[string]any{}
	}
	return rawPut(ctx, c.SC, cfg, "nodes", id, "states", "raid")
}

// BIOSSetting is one BIOS setting as Ironic lists it; the registry fields (API 1.74)
// are nil when the BIOS interface does not supply them. It is ours rather than
// gophercloud's nodes.BIOSSetting because Ironic lists a setting the BMC reports no
// value for with "value": null, which must stay apart from an empty string (it is not
// compared, nor shown as drift), and an absent attribute_type means no registry.
type BIOSSetting struct {
	Name            string   `json:"name"`
	Value           *string  `json:"value"`
	ReadOnly        *bool    `json:"read_only"`
	AttributeType   *string  `json:"attribute_type"`
	AllowableValues []string `json:"allowable_values"`
}

// BIOSSettings lists the node's BIOS settings with their registry details.
func (c *Client) BIOSSettings(ctx context.Context, id string) ([]BIOSSetting, error) {
	var out []BIOSSetting
	err := nodes.ListBIOSSettings(ctx, c.SC, id, nodes.ListBIOSSettingsOpts{Detail: true}).ExtractIntoSlicePtr(&out, "bios")
	return out, err
}

// FirmwareComponents lists the node's firmware components (API 1.86), by component;
// nil where the Ironic lacks them.
func (c *Client) FirmwareComponents(ctx context.Context, id string) ([]nodes.FirmwareComponent, error) {
	if !FeatureNamed("firmware_interface").Available(c.SC.Microversion) {
		return nil, nil
	}
	found, err := nodes.ListFirmware(ctx, c.SC, id).Extract()
	sort.Slice(found, func(i, j int) bool { return found[i].Component < found[j].Component })
	return found, err
}
