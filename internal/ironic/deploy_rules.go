package ironic

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/baremetal/v1/nodes"
)

// UnknownValue stands, in an instance_info given to CheckInstanceInfo, for a value a
// plan does not know yet: the key is set, its value is not judged.
const UnknownValue = "\x00(known after apply)"

// RamdiskDeploy is Ironic's deploy interface that boots what instance_info names (an
// ISO, or a kernel and ramdisk) and writes nothing to the disk.
const RamdiskDeploy = "ramdisk"

// InstanceInfoProblem is an instance_info that Ironic refuses, or cannot boot, for a
// node's deploy and boot interfaces, found before anything is sent.
type InstanceInfoProblem struct {
	Key       string // the instance_info key missing or in the way; "" for instance_info as a whole
	Summary   string // "Missing image_source", ...
	Detail    string // what Ironic wants, naming the deploy interface
	ImageKeys bool   // about the image keys a disk image deploy takes (image_source and its checksum)
}

func (p *InstanceInfoProblem) Error() string { return p.Summary + ": " + p.Detail }

// deployRules is what each deploy interface takes from instance_info, as Ironic 21.4 to
// 2026.1 validate it (the interface's validate and its boot interface's, which read
// deploy_utils.get_image_instance_info):
//   - direct: the image to write, image_source, with its checksum when served over
//     http(s) (the agent verifies the download with it); ansible, anaconda and bootc
//     (2026.1, an oci:// image) an image_source (ansible's playbook verifies a checksum
//     only where one is given).
//   - ramdisk: boot_iso (not with image_source: "may not be specified at the same
//     time"), or kernel and ramdisk (image_source is then not read), or a Glance
//     image_source whose kernel_id and ramdisk_id Ironic looks up; and a boot interface
//     with the ramdisk_boot capability.
//   - autodetect (2026.1): ramdisk when instance_info sets ironic_ramdisk_deploy with
//     boot_iso or kernel and ramdisk, otherwise direct (its default list ends there).
//   - custom-agent (its deploy steps do the work), fake and noop (2026.1, deploys
//     nothing): any instance_info.
//
// An interface the table does not know is not judged.
var deployRules = map[string]func(node, deployIface, bootIface string, info map[string]string) *InstanceInfoProblem{
	"direct":       imageDeployRule,
	"ansible":      imageSourceRule,
	"anaconda":     imageSourceRule,
	"bootc":        imageSourceRule,
	RamdiskDeploy:  ramdiskRule,
	"autodetect":   autodetectRule,
	"custom-agent": anyInstanceInfo,
	"fake":         anyInstanceInfo,
	NoopDeploy:     anyInstanceInfo,
}

// CheckInstanceInfo checks instance_info against what Ironic accepts for the node's
// deploy interface (deployIface) and boot interface (bootIface; "" when not known);
// values may be UnknownValue. node names the node in the messages. With deployIface ""
// (not known yet, e.g. a node created by the same apply) only what neither direct nor
// ramdisk takes is refused, as the provider did before it knew ramdisk deploys.
func CheckInstanceInfo(node, deployIface, bootIface string, info map[string]string) *InstanceInfoProblem {
	if deployIface == "" {
		if ramdiskKeys(info) {
			return nil
		}
		return imageDeployRule(node, "", "", info)
	}
	rule, ok := deployRules[deployIface]
	if !ok {
		return nil
	}
	return rule(node, deployIface, bootIface, info)
}

// checkDeploy checks, before a deploy or rebuild changes anything, spec's instance_info
// against the node's own interfaces (a plan may not have known them). A node read
// without its interfaces (an API older than 1.31) is not judged.
func checkDeploy(node *nodes.Node, spec DeploySpec) error {
	if node.DeployInterface == "" {
		return nil
	}
	if p := CheckInstanceInfo(node.UUID, node.DeployInterface, node.BootInterface, spec.InstanceInfo); p != nil {
		return p
	}
	return nil
}

// DeployInterfaceNeeds says, for documentation, what each deploy interface takes.
const DeployInterfaceNeeds = "`direct` writes `image_source` (with its checksum when served over http(s)), `ansible` " +
	"`image_source`; `ramdisk` boots `boot_iso` (never with `image_source`; on an `ipxe` or virtual media boot interface) or `kernel` " +
	"and `ramdisk`, and writes nothing to the disk; `autodetect` (Ironic 2026.1) is `ramdisk` when `ironic_ramdisk_deploy` " +
	"is set, `direct` otherwise; `custom-agent` and `noop` take any"

func set(info map[string]string, k string) bool { return info[k] != "" }

func known(info map[string]string, k string) bool { return set(info, k) && info[k] != UnknownValue }

// ramdiskKeys: instance_info names what a ramdisk deploy boots.
func ramdiskKeys(info map[string]string) bool {
	return set(info, "boot_iso") || (set(info, "kernel") && set(info, "ramdisk"))
}

func anyInstanceInfo(string, string, string, map[string]string) *InstanceInfoProblem { return nil }

func interfaceSays(node, iface string) string {
	if node == "" {
		return fmt.Sprintf("The %q deploy interface", iface)
	}
	return fmt.Sprintf("Node %s uses the %q deploy interface, which", node, iface)
}

// imageSourceRule: an image_source, nothing more is checked.
func imageSourceRule(node, iface, _ string, info map[string]string) *InstanceInfoProblem {
	if set(info, "image_source") {
		return nil
	}
	return missingImageSource(node, iface, info)
}

func missingImageSource(node, iface string, info map[string]string) *InstanceInfoProblem {
	what := "instance_info needs image_source: the URL of the image to deploy."
	if iface != "" {
		what = interfaceSays(node, iface) + " writes an image: instance_info needs image_source, the URL of the image to deploy."
		if set(info, "boot_iso") || set(info, "kernel") {
			what += " A live ISO, or a kernel and ramdisk, is booted by the ramdisk deploy interface only: set the " +
				"node's deploy_interface to ramdisk."
		}
	} else {
		what += " (A node with the ramdisk deploy interface boots boot_iso, or kernel and ramdisk, instead.)"
	}
	return &InstanceInfoProblem{Key: "image_source", Summary: "Missing image_source", Detail: what, ImageKeys: true}
}

// imageDeployRule is direct's: image_source; image_os_hash_algo and image_os_hash_value
// only as a pair; an http(s) image_source with a checksum (image_checksum or the pair),
// which Ironic verifies the download with.
func imageDeployRule(node, iface, _ string, info map[string]string) *InstanceInfoProblem {
	if !set(info, "image_source") {
		return missingImageSource(node, iface, info)
	}
	says := ""
	if iface != "" {
		says = interfaceSays(node, iface) + " writes an image. "
	}
	for _, pair := range [][2]string{{"image_os_hash_algo", "image_os_hash_value"}, {"image_os_hash_value", "image_os_hash_algo"}} {
		if set(info, pair[0]) && !set(info, pair[1]) {
			return &InstanceInfoProblem{Key: pair[0], Summary: "Incomplete image checksum", ImageKeys: true,
				Detail: fmt.Sprintf("%sinstance_info.%s is set without %s: Ironic refuses such a deploy (\"image_source's "+
					"image_checksum, or image_os_hash_algo and image_os_hash_value must be provided\"). Give both, or "+
					"image_checksum alone for an md5 digest.", says, pair[0], pair[1])}
		}
	}
	if !known(info, "image_source") {
		return nil
	}
	source := info["image_source"]
	u, err := url.Parse(source)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || set(info, "image_checksum") || set(info, "image_os_hash_value") {
		return nil
	}
	return &InstanceInfoProblem{Key: "image_checksum", Summary: "Missing image checksum", ImageKeys: true,
		Detail: fmt.Sprintf("%sDeploying the http(s) image %s needs its checksum in instance_info (Ironic verifies the "+
			"download with it): image_checksum, or image_os_hash_algo with image_os_hash_value.", says, source)}
}

// Boot interfaces by what they can boot for a ramdisk deploy. Those with the
// ramdisk_boot capability boot a kernel and ramdisk; of them, iPXE (sanboot) and the
// virtual media and HTTPS-boot ones also boot an ISO, while PXE and GRUB configurations
// have no way to (Ironic accepts boot_iso there and the machine boots nothing).
var (
	isoBoot        = []string{"ipxe", "http-ipxe", "ilo-ipxe", "redfish-virtual-media", "idrac-redfish-virtual-media", "ilo-virtual-media", "redfish-https", "ilo-uefi-https"}
	kernelOnlyBoot = []string{"pxe", "http", "ilo-pxe", "irmc-pxe"}
	noRamdiskBoot  = []string{"fake", "irmc-virtual-media"}
)

// uuidLike and glanceImage are Ironic's service_utils.is_glance_image: glance:// or a UUID.
var uuidLike = regexp.MustCompile(`^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$`)

func glanceImage(ref string) bool {
	return strings.HasPrefix(ref, "glance://") || uuidLike.MatchString(ref)
}

func ramdiskRule(node, deployIface, bootIface string, info map[string]string) *InstanceInfoProblem {
	says := interfaceSays(node, deployIface)
	if deployIface != RamdiskDeploy {
		says += " deploys through ramdisk here, and"
	}
	if slices.Contains(noRamdiskBoot, bootIface) {
		return &InstanceInfoProblem{Summary: "Boot interface cannot boot a ramdisk deploy",
			Detail: fmt.Sprintf("%s needs a boot interface with Ironic's ramdisk_boot capability; the node's boot interface "+
				"%q has none (Ironic: \"The boot interface must have the `ramdisk_boot` capability\"). Use pxe, ipxe or "+
				"redfish-virtual-media.", says, bootIface)}
	}
	switch {
	case set(info, "boot_iso"):
		if set(info, "image_source") {
			return &InstanceInfoProblem{Key: "image_source", Summary: "image_source with boot_iso",
				Detail: fmt.Sprintf("%s boots boot_iso; Ironic refuses image_source beside it (\"An 'image_source' and "+
					"'boot_iso' parameter may not be specified at the same time\"). Remove image_source.", says)}
		}
		if slices.Contains(kernelOnlyBoot, bootIface) {
			return &InstanceInfoProblem{Key: "boot_iso", Summary: "Boot interface cannot boot an ISO",
				Detail: fmt.Sprintf("%s boots boot_iso, but the node's boot interface %q cannot boot an ISO (its boot "+
					"configuration has no way to; Ironic accepts it and the machine boots nothing). Use an ipxe or virtual "+
					"media boot interface (%s), or give kernel and ramdisk instead of boot_iso.", says, bootIface,
					strings.Join(isoBoot[:4], ", "))}
		}
		return nil
	case set(info, "kernel") || set(info, "ramdisk"):
		for _, k := range []string{"kernel", "ramdisk"} {
			if !set(info, k) {
				return &InstanceInfoProblem{Key: k, Summary: "Missing " + k,
					Detail: fmt.Sprintf("%s boots a kernel with its ramdisk: instance_info needs both kernel and ramdisk "+
						"(URLs), or boot_iso instead.", says)}
			}
		}
		return nil
	case known(info, "image_source") && glanceImage(info["image_source"]):
		return nil // Ironic reads the image's kernel_id and ramdisk_id from Glance
	}
	detail := says + " boots what instance_info names and writes no image: it needs boot_iso (the URL of an ISO to " +
		"boot), or kernel and ramdisk (URLs)."
	if set(info, "image_source") {
		detail += " image_source is not read by a ramdisk deploy (unless it is a Glance image with kernel_id and ramdisk_id)."
	}
	return &InstanceInfoProblem{Key: "boot_iso", Summary: "Missing boot_iso", Detail: detail}
}

// autodetectRule: Ironic 2026.1's autodetect picks ramdisk when instance_info sets
// ironic_ramdisk_deploy beside boot_iso or kernel and ramdisk; otherwise it falls back
// to direct (bootc for an oci:// bootc image, which direct's rule also covers).
func autodetectRule(node, deployIface, bootIface string, info map[string]string) *InstanceInfoProblem {
	if set(info, "ironic_ramdisk_deploy") && ramdiskKeys(info) {
		return ramdiskRule(node, deployIface, bootIface, info)
	}
	if ramdiskKeys(info) && !set(info, "image_source") {
		return &InstanceInfoProblem{Key: "ironic_ramdisk_deploy", Summary: "Missing ironic_ramdisk_deploy",
			Detail: fmt.Sprintf("%s picks a ramdisk deploy only when instance_info sets ironic_ramdisk_deploy (for example "+
				"\"true\") beside boot_iso or kernel and ramdisk; without it, it deploys an image through direct, which "+
				"needs image_source.", interfaceSays(node, deployIface))}
	}
	return imageDeployRule(node, deployIface, bootIface, info)
}
