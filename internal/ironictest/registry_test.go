//go:build linux

package ironictest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/metalform/terraform-provider-baremetal/internal/image"
)

// The image engine against the real registry, with basic and with token auth: a pushed
// disk image resolves to its manifest and layer, with the pull secret and not without or
// with a wrong one; a moved tag shows.
func TestRegistryPushResolveMove(t *testing.T) {
	if why := RegistryMissing(); why != "" {
		t.Skip(why)
	}
	for name, mode := range map[string]RegistryAuth{"basic": RegistryBasic, "token": RegistryToken} {
		t.Run(name, func(t *testing.T) { testRegistry(t, mode) })
	}
}

func testRegistry(t *testing.T, mode RegistryAuth) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r, err := StartRegistry(ctx, t.TempDir(), mode, "puller", "pw-"+randomHex(4))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	disk := []byte(strings.Repeat("disk image ", 10000))
	manifest, layer, err := r.PushDisk(ctx, "disks/test", "v1", disk)
	if err != nil {
		t.Fatal(err)
	}
	e, err := image.New(image.Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ref := r.Ref("disks/test", "v1")
	if _, err := e.ResolveOCI(ctx, ref, image.OCIOptions{}); err == nil || !strings.Contains(err.Error(), "pull secret") {
		t.Fatalf("anonymous: %v", err)
	}
	if _, err := e.ResolveOCI(ctx, ref, image.OCIOptions{PullSecret: "puller:wrong"}); err == nil || !strings.Contains(err.Error(), "refused the pull secret") {
		t.Fatalf("a wrong secret: %v", err)
	}
	res, err := e.Fetch(ctx, image.Request{URL: ref, PullSecret: r.PullSecret(), Expected: image.Expected{Algorithm: "sha256"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.OCI.Manifest != manifest || "sha256:"+res.Checksum != layer || res.Info.Digest != manifest || res.Info.Size != int64(len(disk)) {
		t.Fatalf("fetched %+v (%+v); pushed manifest %s layer %s", res, res.OCI, manifest, layer)
	}
	other, _, err := r.PushDisk(ctx, "disks/test", "v2", []byte("another disk"))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Tag(ctx, "disks/test", "v1", other); err != nil {
		t.Fatal(err)
	}
	info, err := e.ProbeOCI(ctx, ref, image.OCIOptions{PullSecret: r.PullSecret()})
	if err != nil || info.Digest != other {
		t.Fatalf("after moving the tag: %+v, %v; want %s", info, err, other)
	}
}
