// Package casefiles keeps the files attached to cases under a directory,
// named by the SHA-256 of their content (so the same file twice is stored
// once and a key names nothing outside the directory). Which types and
// sizes are accepted is decided here too, from the bytes, not from what
// the sender claims.
package casefiles

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
)

// Limits of one message's attachments.
const (
	MaxFileSize = 10 << 20
	MaxFiles    = 5
)

// allowed maps the detected types accepted to what they are called.
var allowed = map[string]string{
	"image/jpeg":      "a JPEG image",
	"image/png":       "a PNG image",
	"image/gif":       "a GIF image",
	"image/webp":      "a WebP image",
	"application/pdf": "a PDF",
	"text/plain":      "a text file",
}

// Store keeps files under Dir.
type Store struct {
	Dir string
}

// Put stores r (at most max bytes) and returns its key, size and detected
// type. A type not accepted or a file too large is EINVALID and nothing
// is kept.
func (s *Store) Put(name string, r io.Reader, max int64) (key string, size int64, contentType string, err error) {
	if err := os.MkdirAll(s.Dir, 0o750); err != nil {
		return "", 0, "", fmt.Errorf("casefiles: %w", err)
	}
	tmp, err := os.CreateTemp(s.Dir, ".upload-*")
	if err != nil {
		return "", 0, "", fmt.Errorf("casefiles: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	var head [512]byte
	n, _ := io.ReadFull(r, head[:])
	contentType = strings.TrimSpace(strings.Split(http.DetectContentType(head[:n]), ";")[0])
	if _, ok := allowed[contentType]; !ok {
		return "", 0, "", portal.FieldError("files", fmt.Sprintf("%s: only images (JPEG, PNG, GIF, WebP), PDFs and text files can be attached.", name))
	}
	size, err = io.Copy(io.MultiWriter(tmp, h), io.MultiReader(strings.NewReader(string(head[:n])), io.LimitReader(r, max+1-int64(n))))
	if err != nil {
		return "", 0, "", fmt.Errorf("casefiles: write: %w", err)
	}
	if size > max {
		return "", 0, "", portal.FieldError("files", fmt.Sprintf("%s is larger than %d MB.", name, max>>20))
	}
	if size == 0 {
		return "", 0, "", portal.FieldError("files", name+" is empty.")
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, "", fmt.Errorf("casefiles: sync: %w", err)
	}
	key = hex.EncodeToString(h.Sum(nil))
	path := s.path(key)
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return "", 0, "", fmt.Errorf("casefiles: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", 0, "", fmt.Errorf("casefiles: %w", err)
	}
	return key, size, contentType, nil
}

func (s *Store) path(key string) string { return filepath.Join(s.Dir, key[:2], key) }

// Open opens a stored file by key.
func (s *Store) Open(key string) (*os.File, error) {
	if len(key) != 64 || strings.Trim(key, "0123456789abcdef") != "" {
		return nil, portal.Errorf(portal.ENOTFOUND, "File not found.")
	}
	f, err := os.Open(s.path(key))
	if errors.Is(err, os.ErrNotExist) {
		return nil, portal.Errorf(portal.ENOTFOUND, "File not found.")
	}
	return f, err
}

// CleanName keeps a file name safe to show and to send back: its base,
// printable, at most 200 bytes.
func CleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 32 || r == 127 || r == '"' {
			return -1
		}
		return r
	}, name)
	if name == "" || name == "." || name == "/" {
		name = "file"
	}
	if len(name) > 200 {
		name = strings.ToValidUTF8(name[:200], "")
	}
	return name
}
