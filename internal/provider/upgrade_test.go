package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/metalform/terraform-provider-baremetal/internal/ironic"
)

// upgrade runs a resource's version 0 upgrader on a state written as JSON.
func upgrade(t *testing.T, r resource.ResourceWithUpgradeState, v0JSON string) tfsdk.State {
	t.Helper()
	return upgradeFrom(t, r, 0, v0JSON)
}

// upgradeFrom runs the upgrader of a version on a state written as JSON.
func upgradeFrom(t *testing.T, r resource.ResourceWithUpgradeState, version int64, v0JSON string) tfsdk.State {
	t.Helper()
	ctx := context.Background()
	up := r.UpgradeState(ctx)[version]
	var current resource.SchemaResponse
	r.(resource.Resource).Schema(ctx, resource.SchemaRequest{}, &current)
	resp := &resource.UpgradeStateResponse{State: tfsdk.State{Schema: current.Schema, Raw: tftypes.NewValue(current.Schema.Type().TerraformType(ctx), nil)}}
	up.StateUpgrader(ctx, resource.UpgradeStateRequest{RawState: &tfprotov6.RawState{JSON: []byte(v0JSON)}}, resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	return resp.State
}

// A version 0 node that was deployed through the node itself.
const nodeStateV0 = `{"id":"8d3f7c1e-1a2b-4c3d-8e4f-5a6b7c8d9e0f","name":"server1","driver":"fake-hardware",
"driver_info":{"ipmi_password":"p"},"properties":{"cpu_arch":"x86_64"},"extra":null,"resource_class":"baremetal",
"owner":null,"lessee":null,"conductor_group":null,"description":null,
"bios_interface":"no-bios","boot_interface":"fake","console_interface":"no-console","deploy_interface":"fake",
"inspect_interface":"no-inspect","management_interface":"fake","network_interface":"noop","power_interface":"fake",
"raid_interface":"no-raid","rescue_interface":"no-rescue","storage_interface":"noop","vendor_interface":"no-vendor",
"maintenance":false,"maintenance_reason":null,"instance_info":{"image_source":"http://i/os.qcow2","image_checksum":"abc"},
"provision_state":"active","power_state":"power on","last_error":null,"created_at":"2026-11-01T10:00:00Z",
"updated_at":"2026-11-01T10:05:00Z","target_provision_state":"active","target_power_state":null,
"config_drive":{"user_data":"#cloud-config","meta_data":null,"network_data":null},"deploy_steps":null,
"clean_steps":null,"inspect":null,"timeouts":null}`

func TestNodeUpgradeFromV0(t *testing.T) {
	st := upgrade(t, &nodeResource{}, nodeStateV0)
	var m nodeResourceModel
	if d := st.Get(context.Background(), &m); d.HasError() {
		t.Fatal(d)
	}
	if m.ID.ValueString() != "8d3f7c1e-1a2b-4c3d-8e4f-5a6b7c8d9e0f" || m.TargetProvisionState.ValueString() != "available" ||
		m.ProvisionState.ValueString() != "active" || m.Properties.Elements()["cpu_arch"].(types.String).ValueString() != "x86_64" ||
		m.DriverInfo.Elements()["ipmi_password"].(types.String).ValueString() != "p" {
		t.Fatalf("upgraded: %+v", m)
	}
}

func TestPortUpgradeFromV0(t *testing.T) {
	st := upgrade(t, &portResource{}, `{"id":"p1","address":"52:54:00:12:34:56","node_id":"n1","pxe_enabled":true,
"physical_network":null,"local_link_connection":null,"extra":null,"is_smartnic":false}`)
	var m portResourceModel
	if d := st.Get(context.Background(), &m); d.HasError() {
		t.Fatal(d)
	}
	if m.ID.ValueString() != "p1" || m.Address.ValueString() != "52:54:00:12:34:56" || !m.PortgroupID.IsNull() || !m.Name.IsNull() {
		t.Fatalf("upgraded: %+v", m)
	}
	// Version 1 (portgroup_id, before the newer fields) keeps its values; the new ones read as null.
	var m1 portResourceModel
	v1 := upgradeFrom(t, &portResource{}, 1, `{"id":"p1","address":"52:54:00:12:34:56","node_id":"n1","pxe_enabled":true,
"physical_network":"fabric","local_link_connection":null,"extra":null,"is_smartnic":false,"portgroup_id":"g1"}`)
	if d := v1.Get(context.Background(), &m1); d.HasError() || m1.PortgroupID.ValueString() != "g1" || m1.PhysicalNetwork.ValueString() != "fabric" ||
		!m1.Name.IsNull() || !m1.Category.IsNull() {
		t.Fatalf("v1: %v %+v", d, m1)
	}
}

// A version 0 image recorded the applying machine's cache path; version 1 drops it and
// keeps everything the source said.
func TestImageUpgradeFromV0(t *testing.T) {
	st := upgrade(t, &imageResource{}, `{"id":"5d41402abc4b2a76b9719d911017c592","url":"http://images/os.qcow2",
"checksum_algorithm":"md5","expected_checksum":null,"checksum":"9e107d9d372bb6826bd81d3542a419d6","size":1234,
"last_modified":"2026-10-21T07:28:00Z","etag":"\"abc\"","local_path":"/home/alice/.cache/terraform-provider-baremetal/images/5d41.img",
"timeouts":null}`)
	var m imageResourceModel
	if d := st.Get(context.Background(), &m); d.HasError() {
		t.Fatal(d)
	}
	if m.ID.ValueString() != "5d41402abc4b2a76b9719d911017c592" || m.Checksum.ValueString() != "9e107d9d372bb6826bd81d3542a419d6" ||
		m.Size.ValueInt64() != 1234 || m.LastModified.ValueString() != "2026-10-21T07:28:00Z" || m.ETag.ValueString() != `"abc"` ||
		m.ChecksumAlgorithm.ValueString() != "md5" || m.URL.ValueString() != "http://images/os.qcow2" {
		t.Fatalf("upgraded: %+v", m)
	}
	if _, ok := st.Raw.Type().(tftypes.Object).AttributeTypes["local_path"]; ok {
		t.Fatal("local_path is still in the schema")
	}
	if got := stringMap(context.Background(), m.InstanceInfo, new(diag.Diagnostics)); got["image_checksum"] != "9e107d9d372bb6826bd81d3542a419d6" ||
		got["image_source"] != "http://images/os.qcow2" || len(got) != 2 {
		t.Fatalf("instance_info: %v", got)
	}
}

// A version 1 image gains instance_info from what its state holds, in the keys Ironic
// accepts for its algorithm: nothing is fetched, nothing planned.
func TestImageUpgradeFromV1(t *testing.T) {
	sha := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	st := upgradeFrom(t, &imageResource{}, 1, `{"id":"k","url":"file:///images/os.img","checksum_algorithm":"sha256",
"expected_checksum":null,"checksum":"`+sha+`","size":0,"last_modified":"2026-10-21T07:28:00Z","etag":null,"timeouts":null}`)
	var m imageResourceModel
	if d := st.Get(context.Background(), &m); d.HasError() {
		t.Fatal(d)
	}
	got := stringMap(context.Background(), m.InstanceInfo, new(diag.Diagnostics))
	if got["image_source"] != "file:///images/os.img" || got["image_os_hash_algo"] != "sha256" || got["image_os_hash_value"] != sha || len(got) != 3 {
		t.Fatalf("instance_info: %v", got)
	}
}

// A version 1 node (before the hardware attributes) upgrades with them null, to be read
// from Ironic, and with the defaults a plan expects.
func TestNodeUpgradeFromV1(t *testing.T) {
	r := &nodeResource{}
	ctx := context.Background()
	v1 := strings.Replace(nodeStateV0, `"instance_info":{"image_source":"http://i/os.qcow2","image_checksum":"abc"},`, "", 1)
	v1 = strings.Replace(v1, `"config_drive":{"user_data":"#cloud-config","meta_data":null,"network_data":null},"deploy_steps":null,`, "", 1)
	v1 = strings.Replace(v1, `"target_provision_state":"active"`, `"target_provision_state":"available"`, 1)
	var m nodeResourceModel
	if d := upgradeFrom(t, r, 1, v1).Get(ctx, &m); d.HasError() {
		t.Fatal(d)
	}
	if m.ID.ValueString() != "8d3f7c1e-1a2b-4c3d-8e4f-5a6b7c8d9e0f" || m.ApplyRAIDConfig.ValueBool() || m.ApplyRAIDConfig.IsNull() ||
		m.Retired.IsNull() || !m.Traits.IsNull() || !m.RootDevice.IsNull() || !m.BIOSSettings.IsNull() || m.Maintenance.ValueBool() {
		t.Fatalf("upgraded: %+v", m)
	}
	// Version 2 (before the write-only secrets) keeps everything; the secrets read as null.
	v2 := strings.Replace(v1, `"timeouts":null`, `"traits":["CUSTOM_GPU"],"apply_raid_config":false,"retired":false,"timeouts":null`, 1)
	var m2 nodeResourceModel
	if d := upgradeFrom(t, r, 2, v2).Get(ctx, &m2); d.HasError() || len(m2.Traits.Elements()) != 1 || !m2.DriverSecretsWO.IsNull() || !m2.DriverSecretsWOVersion.IsNull() {
		t.Fatalf("v2: %v %+v", d, m2)
	}
	// Version 3 (maintenance with a default) keeps the recorded maintenance.
	v3 := strings.Replace(v2, `"maintenance":false`, `"maintenance":true`, 1)
	var m3 nodeResourceModel
	if d := upgradeFrom(t, r, 3, v3).Get(ctx, &m3); d.HasError() || !m3.Maintenance.ValueBool() {
		t.Fatalf("v3: %v %+v", d, m3)
	}
	// Version 4 (before servicing) upgrades with servicing not allowed.
	v4 := strings.Replace(v3, `"timeouts":null`, `"force_delete":false,"timeouts":null`, 1)
	var m4 nodeResourceModel
	if d := upgradeFrom(t, r, 4, v4).Get(ctx, &m4); d.HasError() || m4.AllowServicing.IsNull() || m4.AllowServicing.ValueBool() || !m4.Maintenance.ValueBool() {
		t.Fatalf("v4: %v %+v", d, m4)
	}
	// Version 5 (firmware updates without versions) keeps the list, each version null.
	v5 := strings.Replace(v4, `"timeouts":null`, `"allow_servicing":true,"firmware_updates":[{"component":"bios","url":"http://f/bios.bin","wait":null}],"timeouts":null`, 1)
	var m5 nodeResourceModel
	if d := upgradeFrom(t, r, 5, v5).Get(ctx, &m5); d.HasError() || !m5.AllowServicing.ValueBool() || len(m5.FirmwareUpdates.Elements()) != 1 {
		t.Fatalf("v5: %v %+v", d, m5)
	}
	var fw []firmwareUpdate
	if d := m5.FirmwareUpdates.ElementsAs(ctx, &fw, false); d.HasError() || fw[0].URL.ValueString() != "http://f/bios.bin" || !fw[0].Version.IsNull() {
		t.Fatalf("v5 firmware_updates: %v %+v", d, fw)
	}
	// And version 0 lands in today's version too, its target of active as available.
	var m0 nodeResourceModel
	if d := upgrade(t, r, nodeStateV0).Get(ctx, &m0); d.HasError() || m0.ApplyRAIDConfig.IsNull() || m0.AllowServicing.IsNull() || m0.TargetProvisionState.ValueString() != "available" {
		t.Fatalf("v0: %v %+v", d, m0)
	}
}

// The upgraders read the stored JSON, not a prior schema built from today's: a state of
// every version still upgrades when today's schema has attributes it never had.
func TestUpgradersNeedNoPriorSchema(t *testing.T) {
	for _, r := range []resource.ResourceWithUpgradeState{&nodeResource{}, &deploymentResource{}, &portResource{}, &imageResource{}} {
		for v, up := range r.UpgradeState(context.Background()) {
			if up.PriorSchema != nil {
				t.Errorf("%T version %d reads the state with a prior schema", r, v)
			}
		}
	}
}

// A version 0 deployment (before protection) upgrades unprotected.
func TestDeploymentUpgradeFromV0(t *testing.T) {
	st := upgrade(t, &deploymentResource{}, `{"id":"n1","node_id":"n1","instance_info":{"image_source":"file:///i.img"},
"config_drive":null,"deploy_steps":null,"allow_rebuild":true,"provision_state":"active","last_error":null,"timeouts":null}`)
	var m deploymentResourceModel
	if d := st.Get(context.Background(), &m); d.HasError() {
		t.Fatal(d)
	}
	if m.ID.ValueString() != "n1" || m.Protected.IsNull() || m.Protected.ValueBool() || !m.ProtectedReason.IsNull() {
		t.Fatalf("upgraded: %+v", m)
	}
}

// A version 1 deployment (before adoption) was deployed by Ironic: it upgrades with
// adopt = false and no on_destroy, so its destroy undeploys as before; so does version 0.
func TestDeploymentUpgradeFromV1(t *testing.T) {
	v1 := `{"id":"n1","node_id":"n1","instance_info":{"image_source":"file:///i.img"},"config_drive":null,"deploy_steps":null,
"allow_rebuild":true,"provision_state":"active","last_error":null,"protected":true,"protected_reason":"prod","timeouts":null}`
	for v, st := range map[int64]string{1: v1, 0: `{"id":"n1","node_id":"n1","instance_info":{"image_source":"file:///i.img"},
"config_drive":null,"deploy_steps":null,"allow_rebuild":true,"provision_state":"active","last_error":null,"timeouts":null}`} {
		var m deploymentResourceModel
		if d := upgradeFrom(t, &deploymentResource{}, v, st).Get(context.Background(), &m); d.HasError() {
			t.Fatalf("v%d: %v", v, d)
		}
		if m.Adopt.IsNull() || m.Adopt.ValueBool() || !m.OnDestroy.IsNull() || m.ID.ValueString() != "n1" ||
			ironic.DestroyRefused(m.Adopt.ValueBool(), ironic.Disposal(m.OnDestroy.ValueString())) {
			t.Fatalf("v%d upgraded: %+v", v, m)
		}
		if v == 1 && (!m.Protected.ValueBool() || m.ProtectedReason.ValueString() != "prod") {
			t.Fatalf("v1 lost its protection: %+v", m)
		}
	}
}

// A version 2 deployment kept config_drive.meta_data as a map of strings: it upgrades to
// the JSON text jsonencode() gives for that map (so a configuration that wraps its map in
// jsonencode() plans no rebuild), vendor_data null; a deployment without a config drive,
// or without meta_data, keeps its nulls. Versions 0 and 1 go the same way.
func TestDeploymentUpgradeFromV2(t *testing.T) {
	ctx := context.Background()
	v2 := `{"id":"n1","node_id":"n1","instance_info":{"image_source":"file:///i.img"},
"config_drive":{"user_data":"#cloud-config","meta_data":{"hostname":"server1","role":"<db & web>"},"network_data":"{\"links\":[]}"},
"deploy_steps":null,"allow_rebuild":true,"provision_state":"active","last_error":null,"protected":false,"protected_reason":null,
"adopt":false,"on_destroy":null,"timeouts":null}`
	for _, v := range []int64{2, 1, 0} {
		var m deploymentResourceModel
		if d := upgradeFrom(t, &deploymentResource{}, v, v2).Get(ctx, &m); d.HasError() {
			t.Fatalf("v%d: %v", v, d)
		}
		var cd configDriveModel
		if d := m.ConfigDrive.As(ctx, &cd, basetypes.ObjectAsOptions{}); d.HasError() {
			t.Fatal(d)
		}
		// What Terraform's jsonencode({ hostname = "server1", role = "<db & web>" }) gives.
		if want := `{"hostname":"server1","role":"\u003cdb \u0026 web\u003e"}`; cd.MetaData.ValueString() != want {
			t.Fatalf("v%d meta_data: %s, want %s", v, cd.MetaData, want)
		}
		if cd.UserData.ValueString() != "#cloud-config" || cd.NetworkData.ValueString() != `{"links":[]}` || !cd.VendorData.IsNull() {
			t.Fatalf("v%d config_drive: %+v", v, cd)
		}
	}
	for _, st := range []string{
		strings.Replace(v2, `"meta_data":{"hostname":"server1","role":"<db & web>"}`, `"meta_data":null`, 1),
		`{"id":"n1","node_id":"n1","instance_info":{},"config_drive":null,"deploy_steps":null,"allow_rebuild":true,
"provision_state":"active","last_error":null,"protected":false,"protected_reason":null,"adopt":false,"on_destroy":null,"timeouts":null}`,
	} {
		var m deploymentResourceModel
		if d := upgradeFrom(t, &deploymentResource{}, 2, st).Get(ctx, &m); d.HasError() {
			t.Fatal(d)
		}
		var cd configDriveModel
		if !m.ConfigDrive.IsNull() {
			m.ConfigDrive.As(ctx, &cd, basetypes.ObjectAsOptions{})
			if !cd.MetaData.IsNull() || cd.UserData.ValueString() != "#cloud-config" {
				t.Fatalf("config_drive: %+v", cd)
			}
		}
	}
}

// A config drive goes to Ironic as one JSON object whose parts are objects: public_keys
// an object inside meta_data, and vendor_data, which gophercloud's ConfigDrive lacks.
func TestConfigDriveSentAsObjects(t *testing.T) {
	ctx := context.Background()
	v := types.ObjectValueMust(configDriveAttrTypes, map[string]attr.Value{
		"user_data":    types.StringValue("#cloud-config\n"),
		"meta_data":    types.StringValue(`{"hostname":"server1","public_keys":{"admin":"ssh-ed25519 AAAA admin"}}`),
		"network_data": types.StringNull(),
		"vendor_data":  types.StringValue(`{"cloud-init":"#cloud-config\nruncmd: [true]\n"}`),
	})
	var diags diag.Diagnostics
	b, err := json.Marshal(configDriveOf(ctx, v, &diags))
	if err != nil || diags.HasError() {
		t.Fatal(err, diags)
	}
	var got map[string]any
	json.Unmarshal(b, &got)
	md, _ := got["meta_data"].(map[string]any)
	keys, _ := md["public_keys"].(map[string]any)
	vd, _ := got["vendor_data"].(map[string]any)
	if keys["admin"] != "ssh-ed25519 AAAA admin" || vd["cloud-init"] == nil || got["user_data"] != "#cloud-config\n" || got["network_data"] != nil {
		t.Fatalf("sent %s", b)
	}
	// Not an object: refused with the attribute's name.
	bad := types.ObjectValueMust(configDriveAttrTypes, map[string]attr.Value{"user_data": types.StringNull(),
		"meta_data": types.StringValue(`["x"]`), "network_data": types.StringNull(), "vendor_data": types.StringNull()})
	diags = nil
	configDriveOf(ctx, bad, &diags)
	if !diags.HasError() || !strings.Contains(diags[0].Detail()+diags[0].Summary(), "config_drive.meta_data") {
		t.Fatalf("a list as meta_data: %v", diags)
	}
}

// A version 2 image (before oci:// images) upgrades with manifest_digest and
// pull_secret_wo null and everything else as recorded.
func TestImageUpgradeFromV2(t *testing.T) {
	if _, ok := (&imageResource{}).UpgradeState(context.Background())[2]; !ok {
		t.Fatal("no upgrader from version 2")
	}
	st := upgradeFrom(t, &imageResource{}, 2, imageStateV2("http://images/os.qcow2"))
	var m imageResourceModel
	if d := st.Get(context.Background(), &m); d.HasError() {
		t.Fatal(d)
	}
	if !m.ManifestDigest.IsNull() || !m.PullSecretWO.IsNull() || m.Checksum.ValueString() != "9e107d9d372bb6826bd81d3542a419d6" ||
		m.Size.ValueInt64() != 1234 || m.LastModified.ValueString() != "2026-10-21T07:28:00Z" || m.URL.ValueString() != "http://images/os.qcow2" ||
		stringMap(context.Background(), m.InstanceInfo, new(diag.Diagnostics))["image_checksum"] != "9e107d9d372bb6826bd81d3542a419d6" {
		t.Fatalf("upgraded: %+v", m)
	}
}

// imageStateV2 is a version 2 image of this URL, as a build before oci:// images wrote it.
func imageStateV2(url string) string {
	return `{"id":"5d41402abc4b2a76b9719d911017c592","url":"` + url + `","checksum_algorithm":"md5","expected_checksum":null,
"checksum":"9e107d9d372bb6826bd81d3542a419d6","size":1234,"last_modified":"2026-10-21T07:28:00Z","etag":null,
"instance_info":{"image_source":"` + url + `","image_checksum":"9e107d9d372bb6826bd81d3542a419d6"},"timeouts":null}`
}

// An image recorded by a build before oci:// images (schema version 2, without
// manifest_digest and pull_secret_wo) upgrades at the next plan, which is empty: nothing
// is fetched again, nothing replaced.
func TestAccImage_upgradeFromV2PlansNothing(t *testing.T) {
	testAccPreCheck(t)
	body := []byte("instance image bytes " + testNodeName())
	srv := newTestImageServer(t, body)
	w := newCLIWorkspace(t)
	w.write(imageConfig(t.TempDir(), fmt.Sprintf(`
resource "baremetal_image" "disk" {
  url = "%s/images/disk.qcow2"
}
`, srv.URL)))
	w.apply()
	defer w.destroy()
	// Rewrite the state as version 2 wrote it.
	file := filepath.Join(w.dir, "terraform.tfstate")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	inst := st["resources"].([]any)[0].(map[string]any)["instances"].([]any)[0].(map[string]any)
	if inst["schema_version"].(float64) != 3 {
		t.Fatalf("schema_version %v", inst["schema_version"])
	}
	inst["schema_version"] = 2
	attrs := inst["attributes"].(map[string]any)
	delete(attrs, "manifest_digest")
	delete(attrs, "pull_secret_wo")
	delete(inst, "sensitive_attributes")
	st["serial"] = st["serial"].(float64) + 1
	if b, err = json.Marshal(st); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	gets := srv.gets.Load()
	w.expectEmptyPlan()
	if n := srv.gets.Load(); n != gets {
		t.Fatalf("the plan fetched the image %d times", n-gets)
	}
}
