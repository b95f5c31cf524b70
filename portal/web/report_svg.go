package web

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Charts are drawn on the server as SVG: no script, no chart library to
// load, sharp at any size, and the same numbers are always in a table
// beside them for screen readers and copying. The view box is 360 units
// wide, so at 360 px the text is drawn at its nominal size.

// bar is one labelled value of a bar chart.
type bar struct {
	Label string
	Value float64
	Text  string // the value as shown
}

// barChart draws horizontal bars, one per row, labels on the left and
// values on the right.
func barChart(title string, bars []bar) template.HTML {
	const width, labelW, valueW, rowH = 360.0, 116.0, 88.0, 24.0
	maxV := 0.0
	for _, b := range bars {
		maxV = math.Max(maxV, b.Value)
	}
	h := rowH*float64(len(bars)) + 8
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-label="%s" preserveAspectRatio="xMinYMin meet">`, width, h, html.EscapeString(title))
	for i, b := range bars {
		y := 4 + rowH*float64(i)
		w := 0.0
		if maxV > 0 {
			w = (width - labelW - valueW) * b.Value / maxV
		}
		fmt.Fprintf(&sb, `<text x="%g" y="%g" class="label">%s</text>`, labelW-6, y+rowH/2+4, html.EscapeString(b.Label))
		fmt.Fprintf(&sb, `<rect x="%g" y="%g" width="%.1f" height="%g" class="bar"></rect>`, labelW, y+4, math.Max(w, 0.5), rowH-8)
		fmt.Fprintf(&sb, `<text x="%.1f" y="%g" class="value">%s</text>`, labelW+w+4, y+rowH/2+4, html.EscapeString(b.Text))
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// gridChart draws the RFM grid: recency score down (5 at the top), the
// combined frequency-monetary score across, each cell shaded by its count.
func gridChart(title string, grid [5][5]int) template.HTML {
	const left, top, cell = 52.0, 8.0, 58.0
	maxV := 0
	for _, row := range grid {
		for _, v := range row {
			maxV = max(maxV, v)
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart grid" viewBox="0 0 360 %g" role="img" aria-label="%s">`, top+5*cell+40, html.EscapeString(title))
	for r := 0; r < 5; r++ {
		y := top + cell*float64(r)
		fmt.Fprintf(&sb, `<text x="%g" y="%g" class="label">R%d</text>`, left-6, y+cell/2+4, 5-r)
		for c := 0; c < 5; c++ {
			x := left + cell*float64(c)
			v := grid[r][c]
			// Shade from light to dark blue; white text on the dark half
			// keeps the contrast above 4.5:1.
			f := 0.0
			if maxV > 0 {
				f = float64(v) / float64(maxV)
			}
			light := 96 - int(f*66) // lightness 96% to 30%
			fill := fmt.Sprintf("hsl(212, 70%%, %d%%)", light)
			textClass := "cell-dark"
			if light < 60 {
				textClass = "cell-light"
			}
			fmt.Fprintf(&sb, `<rect x="%g" y="%g" width="%g" height="%g" fill="%s" class="cell"></rect>`, x+1, y+1, cell-2, cell-2, fill)
			fmt.Fprintf(&sb, `<text x="%g" y="%g" class="%s">%s</text>`, x+cell/2, y+cell/2+5, textClass, thousands(int64(v)))
		}
	}
	for c := 0; c < 5; c++ {
		fmt.Fprintf(&sb, `<text x="%g" y="%g" class="axis">FM%d</text>`, left+cell*float64(c)+cell/2, top+5*cell+18, c+1)
	}
	fmt.Fprintf(&sb, `<text x="%g" y="%g" class="axis">frequency and spend →</text>`, left+2.5*cell, top+5*cell+36)
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// thousands formats n with thousands separators.
func thousands(n int64) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return sign + s
}
