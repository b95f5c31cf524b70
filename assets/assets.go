// Package assets embeds Frontdesk's HTML templates and static files so the
// binary serves its own pages with no files beside it.
package assets

import (
	"embed"
	"io/fs"
)

//go:embed templates static fonts
var files embed.FS

// Templates returns the html/template sources: layout.html and one file per page.
func Templates() fs.FS {
	sub, _ := fs.Sub(files, "templates")
	return sub
}

// Static returns the files served under /static.
func Static() fs.FS {
	sub, _ := fs.Sub(files, "static")
	return sub
}

// Fonts returns the TrueType fonts that PDFs embed: DejaVu Sans regular
// and bold (Bitstream Vera licence, fonts/LICENSE-DejaVu.txt), which cover
// every European alphabet, so names such as Łukasz Řehoř Ağaoğlu print.
func Fonts() (regular, bold []byte) {
	regular, _ = files.ReadFile("fonts/DejaVuSans.ttf")
	bold, _ = files.ReadFile("fonts/DejaVuSans-Bold.ttf")
	return regular, bold
}
