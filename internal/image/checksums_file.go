package image

import (
	"bufio"
	"bytes"
	"fmt"
	"net/url"
	"path"
	"strings"
)

// MaxChecksumsFileSize caps how much of a checksums file is read.
const MaxChecksumsFileSize = 1 << 20

// LookupChecksum finds the digest for imageURL in a checksums file. Accepted lines:
//   - one bare hash (the whole file);
//   - GNU coreutils: "<hex>  <name>" or "<hex> *<name>";
//   - BSD (sha256sum --tag): "SHA256 (<name>) = <hex>";
//   - "#" comments and blank lines.
//
// Names match the last path segment of the image URL (no query) exactly, also written
// as "./name". It returns the digest and, for BSD lines, the algorithm they name.
func LookupChecksum(content []byte, imageURL string) (digest, algorithm string, err error) {
	name := imageName(imageURL)
	var bare []string
	sc := bufio.NewScanner(bytes.NewReader(content))
	sc.Buffer(make([]byte, 0, 4096), MaxChecksumsFileSize)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if d, a, n, ok := parseBSD(line); ok {
			if sameName(n, name) {
				return d, a, nil
			}
			continue
		}
		fields := strings.Fields(line)
		switch {
		case len(fields) == 1:
			bare = append(bare, fields[0])
		case len(fields) >= 2:
			// GNU: the name is everything after the separator, spaces included.
			rest := strings.TrimLeft(line[len(fields[0]):], " \t")
			rest = strings.TrimPrefix(rest, "*")
			if sameName(rest, name) {
				return strings.ToLower(fields[0]), "", nil
			}
		}
	}
	if err := sc.Err(); err != nil {
		return "", "", fmt.Errorf("reading checksums file: %w", err)
	}
	if len(bare) == 1 {
		return strings.ToLower(bare[0]), "", nil
	}
	return "", "", fmt.Errorf("the checksums file has no entry for %q", name)
}

// parseBSD reads "ALGO (name) = hex".
func parseBSD(line string) (digest, algorithm, name string, ok bool) {
	open := strings.Index(line, " (")
	closeEq := strings.LastIndex(line, ") = ")
	if open <= 0 || closeEq < open {
		return "", "", "", false
	}
	algorithm = NormalizeAlgorithm(line[:open])
	if _, err := NewHash(algorithm); err != nil {
		return "", "", "", false
	}
	return strings.ToLower(strings.TrimSpace(line[closeEq+4:])), algorithm, line[open+2 : closeEq], true
}

func sameName(candidate, name string) bool {
	return candidate == name || strings.TrimPrefix(candidate, "./") == name
}

// imageName is the last path segment of the URL, unescaped, without the query.
func imageName(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return path.Base(u.Path)
	}
	return path.Base(raw)
}
