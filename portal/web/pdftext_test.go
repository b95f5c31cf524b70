package web

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
)

// pdfText extracts the text that a PDF's pages show, in drawing order, one
// string per text-showing operator: enough of a PDF reader to check what a
// generated document says. Strings drawn in a composite (Type0,
// Identity-H) font are decoded through its identity ToUnicode map as
// UTF-16; strings in a simple font byte by byte (cp1252, whose letters
// outside Latin-1 a test never needs).
func pdfText(tb testing.TB, pdf []byte) []string {
	tb.Helper()
	objRe := regexp.MustCompile(`(?s)(\d+) 0 obj\s*(.*?)endobj`)
	objs := map[string][]byte{}
	var streams [][]byte
	for _, m := range objRe.FindAllSubmatch(pdf, -1) {
		body := m[2]
		objs[string(m[1])] = body
		i := bytes.Index(body, []byte("stream"))
		if i < 0 {
			continue
		}
		dict, data := body[:i], body[i+len("stream"):]
		data = bytes.TrimLeft(data, "\r\n")
		if j := bytes.LastIndex(data, []byte("endstream")); j >= 0 {
			data = bytes.TrimRight(data[:j], "\r\n")
		}
		if bytes.Contains(dict, []byte("/FlateDecode")) {
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				continue
			}
			if data, err = io.ReadAll(zr); err != nil {
				continue
			}
		}
		streams = append(streams, data)
	}
	// Font resource names and whether each is a composite font.
	composite := map[string]bool{}
	for _, m := range regexp.MustCompile(`/(\w+) (\d+) 0 R`).FindAllSubmatch(pdf, -1) {
		if o, ok := objs[string(m[2])]; ok && bytes.Contains(o, []byte("/Type /Font")) {
			composite[string(m[1])] = bytes.Contains(o, []byte("/Subtype /Type0"))
		}
	}
	opRe := regexp.MustCompile(`(?s)/(\w+)\s+[\d.]+\s+Tf|\(((?:\\.|[^\\)])*)\)\s*Tj`)
	var out []string
	for _, st := range streams {
		font := ""
		for _, m := range opRe.FindAllSubmatch(st, -1) {
			if m[1] != nil {
				font = string(m[1])
				continue
			}
			raw := unescapePDF(m[2])
			if composite[font] {
				u := make([]uint16, len(raw)/2)
				for i := range u {
					u[i] = uint16(raw[2*i])<<8 | uint16(raw[2*i+1])
				}
				out = append(out, string(utf16.Decode(u)))
			} else {
				r := make([]rune, len(raw))
				for i, b := range raw {
					r[i] = rune(b)
				}
				out = append(out, string(r))
			}
		}
	}
	return out
}

func unescapePDF(s []byte) []byte {
	var out []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			out = append(out, s[i])
			continue
		}
		i++
		switch c := s[i]; c {
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			n, _ := strconv.ParseUint(string(s[i:j]), 8, 8)
			out = append(out, byte(n))
			i = j - 1
		default:
			out = append(out, c)
		}
	}
	return out
}

// pdfHasText fails unless the PDF shows want (within one drawn string).
func pdfHasText(tb testing.TB, texts []string, want string) {
	tb.Helper()
	for _, t := range texts {
		if strings.Contains(t, want) {
			return
		}
	}
	tb.Fatalf("the PDF does not show %q; it shows %q", want, texts)
}
