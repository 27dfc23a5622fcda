package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

var (
	_ datasource.DataSource              = (*nodeInventoryDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*nodeInventoryDataSource)(nil)
)

type nodeInventoryDataSource struct {
	clients *clients
}

type nodeInventoryModel struct {
	NodeID          types.String `tfsdk:"node_id"`
	ID              types.String `tfsdk:"id"`
	HasInventory    types.Bool   `tfsdk:"has_inventory"`
	CPUArchitecture types.String `tfsdk:"cpu_architecture"`
	CPUCount        types.Int64  `tfsdk:"cpu_count"`
	CPUModel        types.String `tfsdk:"cpu_model"`
	MemoryMB        types.Int64  `tfsdk:"memory_mb"`
	BMCAddress      types.String `tfsdk:"bmc_address"`
	BootMode        types.String `tfsdk:"boot_mode"`
	Manufacturer    types.String `tfsdk:"manufacturer"`
	ProductName     types.String `tfsdk:"product_name"`
	SerialNumber    types.String `tfsdk:"serial_number"`
	Disks           types.List   `tfsdk:"disks"`
	Interfaces      types.List   `tfsdk:"interfaces"`
	Inventory       types.String `tfsdk:"inventory"`
	PluginData      types.String `tfsdk:"plugin_data"`
}

type inventoryDisk struct {
	Name               types.String `tfsdk:"name"`
	Size               types.Int64  `tfsdk:"size"`
	SizeGB             types.Int64  `tfsdk:"size_gb"`
	Serial             types.String `tfsdk:"serial"`
	WWN                types.String `tfsdk:"wwn"`
	WWNWithExtension   types.String `tfsdk:"wwn_with_extension"`
	WWNVendorExtension types.String `tfsdk:"wwn_vendor_extension"`
	Model              types.String `tfsdk:"model"`
	Vendor             types.String `tfsdk:"vendor"`
	HCTL               types.String `tfsdk:"hctl"`
	ByPath             types.String `tfsdk:"by_path"`
	Rotational         types.Bool   `tfsdk:"rotational"`
}

type inventoryInterface struct {
	Name        types.String `tfsdk:"name"`
	MACAddress  types.String `tfsdk:"mac_address"`
	IPv4Address types.String `tfsdk:"ipv4_address"`
	IPv6Address types.String `tfsdk:"ipv6_address"`
	HasCarrier  types.Bool   `tfsdk:"has_carrier"`
	SpeedMbps   types.Int64  `tfsdk:"speed_mbps"`
	Vendor      types.String `tfsdk:"vendor"`
	Product     types.String `tfsdk:"product"`
	PCIAddress  types.String `tfsdk:"pci_address"`
}

var inventoryDiskTypes = map[string]attr.Type{
	"name": types.StringType, "size": types.Int64Type, "size_gb": types.Int64Type, "serial": types.StringType,
	"wwn": types.StringType, "wwn_with_extension": types.StringType, "wwn_vendor_extension": types.StringType,
	"model": types.StringType, "vendor": types.StringType, "hctl": types.StringType, "by_path": types.StringType,
	"rotational": types.BoolType,
}

var inventoryInterfaceTypes = map[string]attr.Type{
	"name": types.StringType, "mac_address": types.StringType, "ipv4_address": types.StringType, "ipv6_address": types.StringType,
	"has_carrier": types.BoolType, "speed_mbps": types.Int64Type, "vendor": types.StringType, "product": types.StringType,
	"pci_address": types.StringType,
}

// NewNodeInventoryDataSource is the baremetal_node_inventory data source.
func NewNodeInventoryDataSource() datasource.DataSource { return &nodeInventoryDataSource{} }

func (d *nodeInventoryDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_node_inventory"
}

func (d *nodeInventoryDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.clients = configureClients(req.ProviderData, &resp.Diagnostics)
}

func (d *nodeInventoryDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(doc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: doc}
	}
	num := func(doc string) schema.Int64Attribute {
		return schema.Int64Attribute{Computed: true, MarkdownDescription: doc}
	}
	disk := map[string]schema.Attribute{
		"name": str("Device name, such as `/dev/sda`."), "size": num("Size in bytes."), "size_gb": num("Size in GiB, rounded down (what root device hints compare)."),
		"serial": str("Serial number."), "wwn": str("World Wide Name."), "wwn_with_extension": str("WWN with the vendor extension."),
		"wwn_vendor_extension": str("WWN vendor extension."), "model": str("Model."), "vendor": str("Vendor."),
		"hctl": str("SCSI address (host:channel:target:lun)."), "by_path": str("Stable `/dev/disk/by-path` name."),
		"rotational": schema.BoolAttribute{Computed: true, MarkdownDescription: "Spinning disk."},
	}
	nic := map[string]schema.Attribute{
		"name": str("Interface name, such as `eno1`."), "mac_address": str("MAC address."), "ipv4_address": str("IPv4 address seen at inspection."),
		"ipv6_address": str("IPv6 address seen at inspection."), "has_carrier": schema.BoolAttribute{Computed: true, MarkdownDescription: "Link up at inspection."},
		"speed_mbps": num("Link speed."), "vendor": str("PCI vendor."), "product": str("PCI product."), "pci_address": str("PCI address."),
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "What inspection recorded about a node's hardware (Ironic's inventory, API 1.81): CPUs, memory, " +
			"disks with their size, serial and WWN, NICs with their MACs, as typed attributes, plus the whole inventory " +
			"and the inspection plugins' data as JSON. A node never inspected has `has_inventory = false` and nulls. The " +
			"node resource checks `root_device` and `raid_config`, and the port resource MAC addresses, against the same " +
			"inventory at plan time.",
		Attributes: map[string]schema.Attribute{
			"node_id": schema.StringAttribute{
				Required: true, MarkdownDescription: "UUID or name of the node.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"id":               str("UUID of the node."),
			"has_inventory":    schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether Ironic holds an inventory for the node."},
			"cpu_architecture": str("CPU architecture, such as `x86_64`."),
			"cpu_count":        num("Number of CPUs (threads)."),
			"cpu_model":        str("CPU model name."),
			"memory_mb":        num("Physical memory in MiB."),
			"bmc_address":      str("BMC address seen at inspection."),
			"boot_mode":        str("Boot mode at inspection (`uefi`, `bios`)."),
			"manufacturer":     str("System manufacturer."),
			"product_name":     str("System product name."),
			"serial_number":    str("System serial number."),
			"disks": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "Block devices.",
				NestedObject: schema.NestedAttributeObject{Attributes: disk}},
			"interfaces": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "Network interfaces.",
				NestedObject: schema.NestedAttributeObject{Attributes: nic}},
			"inventory":   str("The whole inventory, as JSON."),
			"plugin_data": str("Data the inspection plugins added, as JSON."),
		},
	}
}

func (d *nodeInventoryDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel := d.clients.bounded(ctx) // every wait bounded: a silent endpoint fails the plan
	defer cancel()
	m, ic, ok := startRead[nodeInventoryModel](ctx, d.clients, req, &resp.Diagnostics)
	if !ok {
		return
	}
	node := lookUpNode(ctx, ic, "node_id", "UUID or name", m.NodeID.ValueString(), &resp.Diagnostics)
	if node == nil {
		return
	}
	inv, err := ic.GetInventory(ctx, node.UUID)
	if err != nil {
		resp.Diagnostics.AddError("Unable to read the node's inventory", fmt.Sprintf("Node %s: %s", node.UUID, ironic.Message(err)))
		return
	}
	m.ID = types.StringValue(node.UUID)
	m.fill(ctx, inv, resp)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

func (m *nodeInventoryModel) fill(ctx context.Context, inv *ironic.Inventory, resp *datasource.ReadResponse) {
	m.HasInventory = types.BoolValue(inv != nil)
	if inv == nil {
		for _, s := range []*types.String{&m.CPUArchitecture, &m.CPUModel, &m.BMCAddress, &m.BootMode, &m.Manufacturer,
			&m.ProductName, &m.SerialNumber, &m.Inventory, &m.PluginData} {
			*s = types.StringNull()
		}
		m.CPUCount, m.MemoryMB = types.Int64Null(), types.Int64Null()
		m.Disks = types.ListNull(types.ObjectType{AttrTypes: inventoryDiskTypes})
		m.Interfaces = types.ListNull(types.ObjectType{AttrTypes: inventoryInterfaceTypes})
		return
	}
	i := inv.Inventory
	m.CPUArchitecture, m.CPUCount, m.CPUModel = stringOrNull(i.CPU.Architecture), types.Int64Value(int64(i.CPU.Count)), stringOrNull(i.CPU.ModelName)
	m.MemoryMB = types.Int64Value(int64(i.Memory.PhysicalMb))
	m.BMCAddress, m.BootMode = stringOrNull(i.BmcAddress), stringOrNull(i.Boot.CurrentBootMode)
	m.Manufacturer, m.ProductName, m.SerialNumber = stringOrNull(i.SystemVendor.Manufacturer), stringOrNull(i.SystemVendor.ProductName), stringOrNull(i.SystemVendor.SerialNumber)
	disks := make([]inventoryDisk, 0, len(i.Disks))
	for _, d := range i.Disks {
		disks = append(disks, inventoryDisk{
			Name: stringOrNull(d.Name), Size: types.Int64Value(d.Size), SizeGB: types.Int64Value(d.Size >> 30),
			Serial: stringOrNull(d.Serial), WWN: stringOrNull(d.Wwn), WWNWithExtension: stringOrNull(d.WwnWithExtension),
			WWNVendorExtension: stringOrNull(d.WwnVendorExtension), Model: stringOrNull(d.Model), Vendor: stringOrNull(d.Vendor),
			HCTL: stringOrNull(d.Hctl), ByPath: stringOrNull(d.ByPath), Rotational: types.BoolValue(d.Rotational),
		})
	}
	nics := make([]inventoryInterface, 0, len(i.Interfaces))
	for _, n := range i.Interfaces {
		nics = append(nics, inventoryInterface{
			Name: stringOrNull(n.Name), MACAddress: stringOrNull(n.MACAddress), IPv4Address: stringOrNull(n.IPV4Address),
			IPv6Address: stringOrNull(n.IPV6Address), HasCarrier: types.BoolValue(n.HasCarrier), SpeedMbps: types.Int64Value(int64(n.SpeedMbps)),
			Vendor: stringOrNull(n.Vendor), Product: stringOrNull(n.Product), PCIAddress: stringOrNull(n.PCIAddress),
		})
	}
	var d1, d2 = types.ListValueFrom(ctx, types.ObjectType{AttrTypes: inventoryDiskTypes}, disks)
	m.Disks = d1
	resp.Diagnostics.Append(d2...)
	l, d3 := types.ListValueFrom(ctx, types.ObjectType{AttrTypes: inventoryInterfaceTypes}, nics)
	m.Interfaces = l
	resp.Diagnostics.Append(d3...)
	m.Inventory, m.PluginData = stringOrNull(inv.InventoryJSON), stringOrNull(inv.PluginDataJSON)
}
