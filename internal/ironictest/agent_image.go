//go:build linux

package ironictest

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5" //nolint:gosec // IPA's legacy image checksum
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path"
	"regexp"
	"strings"
	"time"
)

// hashlibAlgorithms are the names of Python's hashlib that IPA accepts as os_hash_algo
// (hashlib.algorithms_available), those Go's standard library has.
var hashlibAlgorithms = map[string]func() hash.Hash{
	"md5": md5.New, "sha1": sha1.New, "sha224": sha256.New224, "sha256": sha256.New,
	"sha384": sha512.New384, "sha512": sha512.New, "sha512_224": sha512.New512_224, "sha512_256": sha512.New512_256,
	"sha3_224": func() hash.Hash { return sha3.New224() }, "sha3_256": func() hash.Hash { return sha3.New256() },
	"sha3_384": func() hash.Hash { return sha3.New384() }, "sha3_512": func() hash.Hash { return sha3.New512() },
}

// expectedHash decides, as IPA's ImageDownload does, which algorithm verifies the image
// and against what: os_hash_algo with os_hash_value when the algorithm is known; else
// checksum, md5 for the 2023.1 agent, by its length (sha512, sha256, md5) for newer ones;
// a checksum that is a URL names a checksums file.
func (m *machine) expectedHash(ctx context.Context, info map[string]any) (string, hash.Hash, error) {
	id, _ := info["id"].(string)
	algo, _ := info["os_hash_algo"].(string)
	checksum, _ := info["checksum"].(string)
	newer := m.agent.newerIPA()
	var expected string
	var h hash.Hash
	switch {
	case algo != "" && hashlibAlgorithms[algo] != nil:
		h = hashlibAlgorithms[algo]()
		expected, _ = info["os_hash_value"].(string)
	case checksum != "":
		expected = checksum
	default:
		return "", nil, newAgentError("RESTError", "An error occurred", fmt.Sprintf("Unable to verify image %s with available "+
			"checksums. Please make sure the specified 'os_hash_algo' (currently %s) is supported by this ramdisk, or "+
			"provide a md5 checksum via the 'checksum' field", id, algo))
	}
	if strings.HasPrefix(expected, "http://") || strings.HasPrefix(expected, "https://") {
		var err error
		if expected, err = m.fetchChecksum(ctx, expected, info); err != nil {
			return "", nil, err
		}
	}
	if h == nil {
		h = md5.New()
		if newer {
			switch len(expected) {
			case 128:
				h = sha512.New()
			case 64:
				h = sha256.New()
			case 32:
			default:
				return "", nil, newAgentError("RESTError", "An error occurred", fmt.Sprintf("Unable to proceed with image %s "+
					"as the checksum indicator has been used but the algorithm could not be identified. Error: Unable to "+
					"identify checksum algorithm based upon the length of the checksum. Please use the os_hash_algo setting.", id))
			}
		}
	}
	return expected, h, nil
}

// fetchChecksum reads a checksums file as IPA does: a single bare hash, or the line
// naming the image URL's basename.
func (m *machine) fetchChecksum(ctx context.Context, where string, info map[string]any) (string, error) {
	body, err := m.download(ctx, where, where, info)
	if err != nil {
		return "", err
	}
	defer body.Close()
	b, err := io.ReadAll(io.LimitReader(body, 1<<20))
	if err != nil {
		return "", newAgentError("ImageDownloadError", "Error downloading image", "Download of image "+where+" failed: "+err.Error())
	}
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	fail := func(msg string) (string, error) {
		return "", newAgentError("ImageDownloadError", "Error downloading image", "Download of image "+where+" failed: "+msg)
	}
	if len(lines) == 0 {
		return fail("Empty checksum file")
	}
	if len(lines) == 1 && !strings.Contains(lines[0], " ") {
		return lines[0], nil
	}
	urls, _ := info["urls"].([]any)
	first, _ := urls[0].(string)
	u, _ := url.Parse(first)
	name := path.Base(u.Path)
	for _, line := range lines {
		if strings.HasPrefix(line, "#") {
			continue
		}
		if m.agent.newerIPA() {
			// The newer agent matches with regular expressions built from the file name,
			// unescaped, as IPA does.
			end, err1 := regexp.Compile(`\s[*]?` + name + `$`)
			paren, err2 := regexp.Compile(`\s\(` + name + `\)\s`)
			if err1 != nil || err2 != nil || !(end.MatchString(line) || paren.MatchString(line)) {
				continue
			}
			for _, re := range checksumMatchers {
				if s := re.FindStringSubmatch(line); s != nil {
					return s[1], nil
				}
			}
			continue
		}
		sum, fname, ok := strings.Cut(line, " ")
		if ok && strings.TrimLeft(strings.TrimSpace(fname), "*") == name {
			return strings.TrimSpace(sum), nil
		}
	}
	return fail("Checksum file does not contain name " + name)
}

var checksumMatchers = func() []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, n := range []int{32, 64, 128} {
		out = append(out, regexp.MustCompile(fmt.Sprintf(`^([a-fA-F\d]{%d})\s`, n)), regexp.MustCompile(fmt.Sprintf(`\s([a-fA-F\d]{%d})$`, n)))
	}
	return out
}()

// download opens url, retrying 5xx and connection errors a few times (IPA: nine
// times, ten seconds apart; the tests cannot wait that long), never 4xx.
func (m *machine) download(ctx context.Context, rawURL, imageID string, info map[string]any) (io.ReadCloser, error) {
	m.mu.Lock()
	fault := m.fault
	m.mu.Unlock()
	fail := func(msg string) error {
		return newAgentError("ImageDownloadError", "Error downloading image", fmt.Sprintf("Download of image %s failed: %s", imageID, msg))
	}
	start := time.Now()
	perURL := func(msg string) error {
		return fail(fmt.Sprintf("URL: %s; time: %.2f seconds. Error: %s", rawURL, time.Since(start).Seconds(), msg))
	}
	if fault == AgentDownloadFails {
		return nil, perURL("the machine cannot reach the image server (fault injected by the test agent)")
	}
	var last error
	for attempt := 0; attempt < 3; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
		if err != nil {
			return nil, fail(err.Error())
		}
		// Ironic 2025.1 and later hand over an OCI registry's Authorization header
		// (base64), which IPA sends with the download.
		if auth, _ := info["image_request_authorization"].(string); auth != "" {
			if h, err := base64.StdEncoding.DecodeString(auth); err == nil {
				req.Header.Set("Authorization", string(h))
			}
		}
		resp, err := m.agent.client.Do(req)
		if err == nil && resp.StatusCode == http.StatusOK {
			return resp.Body, nil
		}
		if err == nil {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			resp.Body.Close()
			last = perURL(fmt.Sprintf("Received status code %d from %s, expected 200. Response body: %s", resp.StatusCode, rawURL, b))
			if resp.StatusCode < 500 {
				return nil, last
			}
		} else {
			last = perURL(err.Error())
		}
		time.Sleep(200 * time.Millisecond)
	}
	return nil, last
}

// writeImage is IPA's write_image deploy step for a whole-disk image: download from
// the URL the conductor hands over, hash while streaming, write the disk (a qcow2 image
// is converted to raw, as IPA does with qemu-img), then verify; a config drive given
// inline (gzip, base64) or as a URL is written beside it.
func (m *machine) writeImage(info map[string]any, configdrive string) (any, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	id, _ := info["id"].(string)
	urls, _ := info["urls"].([]any)
	if id == "" || len(urls) == 0 {
		return nil, newAgentError("InvalidCommandParamsError", "Invalid command parameters", "Image is missing 'id' or 'urls' field.")
	}
	expected, h, err := m.expectedHash(ctx, info)
	if err != nil {
		return nil, err
	}
	src, _ := urls[0].(string)
	body, err := m.download(ctx, src, id, info)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	format, _ := info["disk_format"].(string)
	var in io.Reader = io.TeeReader(&faultReader{r: body, corrupt: m.faultIs(AgentCorrupts)}, h)
	written, target, err := m.writeDisk(ctx, in, format, id)
	if err != nil {
		return nil, err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != expected {
		m.note("write_image: %d bytes from %s, checksum %s, expected %s", written, src, got, expected)
		// IPA passes its arguments swapped: the image id as the location, the target as the id.
		return nil, newAgentError("ImageChecksumError", "Error verifying image checksum",
			fmt.Sprintf("Image failed to verify against checksum. location: %s; image ID: %s; image checksum: %s; "+
				"verification checksum: %s", id, target, expected, got))
	}
	m.note("write_image: %d bytes from %s verified (%s)", written, src, expected)
	if configdrive != "" {
		if err := m.writeConfigDrive(ctx, configdrive, info); err != nil {
			return nil, err
		}
	}
	return fmt.Sprintf("prepare_image: image (%s) written to device /dev/sda root_uuid=0x%s", id, m.uuid[:8]), nil
}

func (m *machine) faultIs(f AgentFault) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.fault == f
}

// writeDisk streams a raw image onto the disk, or converts a qcow2 one with qemu-img
// into it, and returns how many image bytes it read and where IPA would have put them.
func (m *machine) writeDisk(ctx context.Context, in io.Reader, format, id string) (int64, string, error) {
	disk, err := m.openDisk()
	if err != nil {
		return 0, "", err
	}
	defer disk.Close()
	head := make([]byte, 4)
	n, _ := io.ReadFull(in, head)
	head = head[:n]
	in = io.MultiReader(bytes.NewReader(head), in)
	if format != "qcow2" && !bytes.Equal(head, []byte("QFI\xfb")) {
		written, err := io.Copy(io.NewOffsetWriter(disk, 0), in)
		if err != nil {
			return written, "", newAgentError("ImageDownloadError", "Error downloading image", "Download of image "+id+" failed: "+err.Error())
		}
		return written, "/dev/sda", disk.Sync()
	}
	tmp, err := os.CreateTemp(m.agent.dir, "download-*.qcow2")
	if err != nil {
		return 0, "", err
	}
	defer os.Remove(tmp.Name())
	written, err := io.Copy(tmp, in)
	tmp.Close()
	if err != nil {
		return written, "", newAgentError("ImageDownloadError", "Error downloading image", "Download of image "+id+" failed: "+err.Error())
	}
	out, err := exec.CommandContext(ctx, "qemu-img", "convert", "-n", "-f", "qcow2", "-O", "raw", tmp.Name(), disk.Name()).CombinedOutput()
	if err != nil {
		return written, "", newAgentError("ImageWriteError", "Error writing image to device",
			fmt.Sprintf("Writing image to device /dev/sda failed with exit code 1. stdout: . stderr: %s", out))
	}
	return written, "/tmp/" + id, nil
}

func (m *machine) writeConfigDrive(ctx context.Context, data string, info map[string]any) error {
	var raw []byte
	if strings.HasPrefix(data, "http://") || strings.HasPrefix(data, "https://") {
		body, err := m.download(ctx, data, "configdrive", info)
		if err != nil {
			return err
		}
		defer body.Close()
		if raw, err = io.ReadAll(body); err != nil {
			return err
		}
		data = string(raw)
	}
	decoded, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return newAgentError("ConfigDriveError", "Error creating config drive", "base64: "+err.Error())
	}
	zr, err := gzip.NewReader(bytes.NewReader(decoded))
	if err != nil {
		return newAgentError("ConfigDriveError", "Error creating config drive", "gzip: "+err.Error())
	}
	iso, err := io.ReadAll(zr)
	if err != nil {
		return newAgentError("ConfigDriveError", "Error creating config drive", "gzip: "+err.Error())
	}
	m.note("config drive: %d bytes", len(iso))
	return os.WriteFile(m.agent.ConfigDrivePath(m.uuid), iso, 0o644)
}

// faultReader flips a bit of the first chunk when corrupt: damage in transit.
type faultReader struct {
	r       io.Reader
	corrupt bool
}

func (f *faultReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if f.corrupt && n > 0 {
		p[0] ^= 0x01
		f.corrupt = false
	}
	return n, err
}
