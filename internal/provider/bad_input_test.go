package provider

import (
	"testing"
)

// The bad-input catalogue: every invalid configuration is refused at plan time with a
// diagnostic that names the attribute and says what is wrong. Each want must match the
// attribute's name and the problem.
func TestAccBadInput_catalogue(t *testing.T) {
	const node = "resource \"baremetal_node\" \"x\" {\n  driver = \"fake-hardware\"\n  %s\n}\n"
	const image = "resource \"baremetal_image\" \"x\" {\n  %s\n}\n"
	const deployment = "resource \"baremetal_deployment\" \"x\" {\n  node_id = \"00000000-0000-4000-8000-000000000000\"\n  %s\n}\n"
	const allocation = "resource \"baremetal_allocation\" \"x\" {\n  %s\n}\n"
	const portgroup = "resource \"baremetal_portgroup\" \"x\" {\n  node_id = \"00000000-0000-4000-8000-000000000000\"\n  %s\n}\n"
	const port = "resource \"baremetal_port\" \"x\" {\n  node_id = \"00000000-0000-4000-8000-000000000000\"\n  %s\n}\n"
	provider := func(body string) string {
		return "provider \"baremetal\" {\n  " + body + "\n}\n" + "resource \"baremetal_node\" \"n\" {\n  driver = \"fake-hardware\"\n}\n"
	}
	cases := []struct {
		name, config, want string
		env                map[string]string
	}{
		// Provider settings.
		{name: "unknown auth_strategy", config: provider(`auth_strategy = "kerberos"`),
			want: `(?s)Attribute auth_strategy value must be one of.*"noauth".*"http_basic".*"keystone".*got: "kerberos"`},
		{name: "endpoint not a URL", config: provider(`endpoint = "ironic.example:6385"`),
			want: `(?s)Invalid URL.*endpoint: "ironic.example:6385" is not an http:// or https:// URL`},
		{name: "endpoint of another scheme", config: provider(`endpoint = "ftp://127.0.0.1:6385"`), want: `(?s)Invalid URL.*endpoint: "ftp://`},
		{name: "missing endpoint", config: provider(""), env: map[string]string{envEndpoint: "", envAuthStrategy: ""},
			want: `(?s)Missing Ironic endpoint.*endpoint.*BAREMETAL_ENDPOINT`},
		{name: "endpoint from the environment not a URL", config: provider(""), env: map[string]string{envEndpoint: "localhost"},
			want: `(?s)Invalid endpoint.*"localhost" is not an http:// or https:// URL`},
		{name: "http_basic without credentials", config: provider(`auth_strategy = "http_basic"`),
			want: `(?s)Missing username for http_basic.*username.*BAREMETAL_USERNAME.*Missing password for http_basic`},
		{name: "malformed microversion", config: provider(`microversion = "latest"`),
			want: `(?s)Invalid microversion.*microversion: "latest" is not a microversion`},
		{name: "negative api_timeout", config: provider(`api_timeout = "-5s"`),
			want: `(?s)Invalid duration.*api_timeout: "-5s" is not a non-negative duration`},
		{name: "negative max_retries", config: provider(`max_retries = -1`), want: `(?s)Attribute max_retries value must be at least 0`},
		{name: "cert_file without key_file", config: provider(`cert_file = "/tmp/c.pem"`),
			want: `(?s)Incomplete client certificate.*cert_file and key_file go together`},
		// Nodes.
		{name: "empty name", config: providerBlock + sprintf(node, `name = ""`), want: `(?s)Attribute name string length must be at least 1`},
		{name: "unknown target state", config: providerBlock + sprintf(node, `target_provision_state = "deployed"`),
			want: `(?s)Attribute target_provision_state value must be one of.*"enroll".*"available".*got: "deployed"`},
		{name: "node target active", config: providerBlock + sprintf(node, `target_provision_state = "active"`),
			want: `(?s)Attribute target_provision_state value must be one of.*got: "active"`},
		{name: "secret in both maps", config: providerBlock + sprintf(node, "driver_info = { ipmi_password = \"a\" }\n  driver_secrets_wo = { ipmi_password = \"b\" }"),
			want: `(?s)Secret given twice.*driver_secrets_wo and driver_info both set "ipmi_password"`},
		{name: "instance_info on the node", config: providerBlock + sprintf(node, `instance_info = {}`),
			want: `(?s)instance_info.*not expected here`},
		{name: "conductor group in mixed case", config: providerBlock + sprintf(node, `conductor_group = "Rack-A"`),
			want: `(?s)conductor_group.*must be lower case letters.*Ironic stores a conductor group in lower case`},
		{name: "unknown power state", config: providerBlock + sprintf(node, `target_power_state = "rebooting"`),
			want: `(?s)Attribute target_power_state value must be one of.*got: "rebooting"`},
		// Deployments.
		{name: "http image without checksum", config: providerBlock + sprintf(deployment, `instance_info = { image_source = "http://images/os.qcow2" }`),
			want: `(?s)Missing image checksum.*instance_info.*image_checksum.*baremetal_image`},
		{name: "hash algorithm without its value", config: providerBlock + sprintf(deployment,
			`instance_info = { image_source = "http://images/os.qcow2", image_checksum = "d41d8cd98f00b204e9800998ecf8427e", image_os_hash_algo = "md5" }`),
			want: `(?s)Incomplete image checksum.*instance_info.image_os_hash_algo is set without image_os_hash_value.*baremetal_image.os.instance_info`},
		{name: "hash value without its algorithm", config: providerBlock + sprintf(deployment,
			`instance_info = { image_source = "file:///i.img", image_os_hash_value = "d41d8cd98f00b204e9800998ecf8427e" }`),
			want: `(?s)Incomplete image checksum.*image_os_hash_value is set without image_os_hash_algo`},
		{name: "instance_info without image_source", config: providerBlock + sprintf(deployment, `instance_info = { root_gb = "10" }`),
			want: `(?s)Missing image_source.*instance_info`},
		{name: "deploy_steps not a list", config: providerBlock + sprintf(deployment, "instance_info = { image_source = \"file:///i.img\" }\n  deploy_steps = jsonencode({ step = \"x\" })"),
			want: `(?s)Invalid JSON.*deploy_steps: must be a JSON list`},
		{name: "deploy step without interface", config: providerBlock + sprintf(deployment, "instance_info = { image_source = \"file:///i.img\" }\n  deploy_steps = jsonencode([{ step = \"x\" }])"),
			want: `(?s)Invalid steps.*deploy_steps: step 0 has no "interface"`},
		{name: "network_data not an object", config: providerBlock + sprintf(deployment, "instance_info = { image_source = \"file:///i.img\" }\n  config_drive = { network_data = \"[]\" }"),
			want: `(?s)Invalid JSON.*config_drive.network_data: must be a JSON object`},
		{name: "deployment without node", config: providerBlock + `resource "baremetal_deployment" "x" { instance_info = {} }`,
			want: `(?s)Missing required argument.*node_id`},
		// Allocations and port groups.
		{name: "allocation without resource class", config: providerBlock + sprintf(allocation, `name = "a"`),
			want: `(?s)Missing required argument.*resource_class`},
		{name: "portgroup MAC", config: providerBlock + sprintf(portgroup, `address = "52:54:00"`),
			want: `(?s)Invalid MAC address.*address: "52:54:00" is not a MAC address`},
		{name: "clean_steps not JSON", config: providerBlock + sprintf(node, `clean_steps = "erase"`), want: `(?s)Invalid JSON.*clean_steps: not valid JSON`},
		{name: "clean step without step", config: providerBlock + sprintf(node, `clean_steps = jsonencode([{ interface = "deploy" }])`),
			want: `(?s)Invalid steps.*clean_steps: step 0 has no "step"`},
		{name: "maintenance_reason without maintenance", config: providerBlock + sprintf(node, `maintenance_reason = "x"`),
			want: `(?s)maintenance_reason without maintenance`},
		{name: "negative timeout", config: providerBlock + sprintf(node, `timeouts = { create = "-5m" }`),
			want: `(?s)Invalid duration.*timeouts.create: "-5m" is not a positive duration`},
		{name: "zero timeout", config: providerBlock + sprintf(image, "url = \"file:///i.img\"\n  timeouts = { create = \"0s\" }"),
			want: `(?s)Invalid duration.*timeouts.create: "0s" is not a positive duration`},
		{name: "unparsable timeout", config: providerBlock + sprintf(deployment, "instance_info = { image_source = \"file:///i.img\" }\n  timeouts = { delete = \"soon\" }"),
			want: `(?s)timeouts.delete: "soon" is not a positive duration`},
		{name: "zero request_timeout", config: provider(`request_timeout = "0s"`),
			want: `(?s)Invalid duration.*request_timeout: "0s" is not a positive duration`},
		{name: "negative image_cache_max_gib", config: provider(`image_cache_max_gib = -1`), want: `(?s)Attribute image_cache_max_gib value must be at least 0`},
		{name: "image_cache_max_age in days", config: provider(`image_cache_max_age = "7d"`),
			want: `(?s)Invalid duration.*image_cache_max_age: "7d" is not a non-negative duration`},
		// Ports.
		{name: "short MAC", config: providerBlock + sprintf(port, `address = "52:54:00:12:34"`),
			want: `(?s)Invalid MAC address.*address: "52:54:00:12:34" is not a MAC address`},
		{name: "MAC with dashes", config: providerBlock + sprintf(port, `address = "52-54-00-12-34-56"`), want: `(?s)Invalid MAC address.*address`},
		// Images.
		{name: "unsupported scheme", config: providerBlock + sprintf(image, `url = "ftp://images.example/x.img"`),
			want: `(?s)Invalid image URL.*url: unsupported scheme "ftp"`},
		{name: "relative file URL", config: providerBlock + sprintf(image, `url = "file:images/x.img"`), want: `(?s)Invalid image URL.*url:.*no absolute path`},
		{name: "unknown algorithm", config: providerBlock + sprintf(image, "url = \"http://127.0.0.1:1/x.img\"\n  checksum_algorithm = \"crc32\""),
			want: `(?s)Attribute checksum_algorithm value must be one of`},
		{name: "checksum of no known length", config: providerBlock + sprintf(image, "url = \"http://127.0.0.1:1/x.img\"\n  expected_checksum = \"abcd\""),
			want: `(?s)Invalid expected_checksum.*matches no algorithm by length`},
		{name: "checksum not hex", config: providerBlock + sprintf(image, "url = \"http://127.0.0.1:1/x.img\"\n  expected_checksum = \"xyz\""),
			want: `(?s)Invalid expected_checksum.*"xyz" is not a hex digest`},
		{name: "checksum of another algorithm", config: providerBlock + sprintf(image, "url = \"http://127.0.0.1:1/x.img\"\n  checksum_algorithm = \"sha256\"\n  expected_checksum = \"d41d8cd98f00b204e9800998ecf8427e\""),
			want: `(?s)Invalid expected_checksum.*a sha256 digest has 64 hex characters, this one has 32`},
		{name: "unknown checksum prefix", config: providerBlock + sprintf(image, "url = \"http://127.0.0.1:1/x.img\"\n  expected_checksum = \"whirlpool:abcd\""),
			want: `(?s)Invalid expected_checksum.*checksum prefix "whirlpool" is not a known algorithm`},
		// Data sources.
		{name: "node data source without id or name", config: providerBlock + `data "baremetal_node" "x" {}`,
			want: `(?s)Missing Attribute Configuration.*Exactly one of these attributes must be configured: \[id,name\]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			expectPlanError(t, c.config, c.want) // runs Terraform: acceptance only (make testunit has none)
		})
	}
}
