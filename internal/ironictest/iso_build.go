package ironictest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// ErrNoMkisofs: BuildISO needs mkisofs (Debian's genisoimage, installed by make deps).
var ErrNoMkisofs = errors.New("mkisofs (genisoimage) is not installed: make deps")

// BuildISO builds an ISO 9660 image of files (path in the image: content) in dir, the
// way Ironic builds its boot ISOs (images.create_esp_image_for_uefi: mkisofs -r -V ...
// -l -e boot/grub/efiboot.img -no-emul-boot): with an El Torito UEFI entry when the files
// hold boot/grub/efiboot.img, and a BIOS one, as create_isolinux_image_for_bios, when
// they hold isolinux/isolinux.bin. Tests use it for the ISOs a BMC boots.
func BuildISO(dir, volume string, files map[string][]byte) ([]byte, error) {
	mkisofs, err := exec.LookPath("mkisofs")
	if err != nil {
		return nil, ErrNoMkisofs
	}
	root := filepath.Join(dir, "root")
	for name, body := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, body, 0o644); err != nil {
			return nil, err
		}
	}
	out := filepath.Join(dir, "boot.iso")
	args := []string{"-r", "-V", volume, "-l", "-o", out}
	if _, ok := files["boot/grub/efiboot.img"]; ok {
		args = append(args, "-e", "boot/grub/efiboot.img", "-no-emul-boot")
	}
	if _, ok := files["isolinux/isolinux.bin"]; ok {
		args = append(args, "-J", "-b", "isolinux/isolinux.bin", "-no-emul-boot", "-boot-load-size", "4")
	}
	if b, err := exec.Command(mkisofs, append(args, root)...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("mkisofs: %v: %s", err, b)
	}
	return os.ReadFile(out)
}
