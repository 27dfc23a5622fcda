package image

import "fmt"

// Changed decides, from what was recorded at the last fetch and what the source says
// now, whether the image must be fetched again; reason is a sentence for the user.
//
// HTTP follows Ironic (since 2021): no Last-Modified means fetch again every time; a
// newer one means changed; equal or older means unchanged. Unlike Ironic it compares the
// server's time with the server's time recorded earlier (not with the local download
// time, which clock skew spoils), and also notices a changed ETag or size, which
// content replaced with its old timestamp (cp -p, rsync -t) still shows.
// file:// compares the file's mtime and size.
//
// oci:// compares the digest the reference resolves to: a moved tag is a change.
func Changed(kind Kind, recorded, current Info) (bool, string) {
	if kind == KindOCI {
		switch {
		case recorded.Digest == "":
			return true, "no manifest digest was recorded at the last fetch"
		case current.Digest != recorded.Digest:
			return true, fmt.Sprintf("the reference now resolves to manifest %s (was %s)", current.Digest, recorded.Digest)
		}
		return false, ""
	}
	if kind == KindFile {
		switch {
		case !current.LastModified.Equal(recorded.LastModified):
			return true, fmt.Sprintf("the file's modification time changed (%s, was %s)", stamp(current), stamp(recorded))
		case recorded.Size >= 0 && current.Size != recorded.Size:
			return true, fmt.Sprintf("the file's size changed (%d bytes, was %d)", current.Size, recorded.Size)
		}
		return false, ""
	}
	switch {
	case !current.HasLastModified():
		return true, "the server sends no usable Last-Modified header, so the image is fetched again on every apply (as Ironic does)"
	case !recorded.HasLastModified():
		return true, "no Last-Modified was recorded at the last fetch"
	case current.LastModified.After(recorded.LastModified):
		return true, fmt.Sprintf("Last-Modified is newer (%s, was %s)", stamp(current), stamp(recorded))
	case recorded.ETag != "" && current.ETag != "" && current.ETag != recorded.ETag:
		return true, fmt.Sprintf("the ETag changed (%s, was %s)", current.ETag, recorded.ETag)
	case recorded.Size >= 0 && current.Size >= 0 && current.Size != recorded.Size:
		return true, fmt.Sprintf("the size changed (%d bytes, was %d)", current.Size, recorded.Size)
	case current.NoStore:
		return true, "the server forbids keeping a copy (Cache-Control: no-store)"
	}
	return false, ""
}

func stamp(i Info) string {
	if !i.HasLastModified() {
		return "none"
	}
	return i.LastModified.Format("2006-01-02T15:04:05.999999999Z07:00")
}
