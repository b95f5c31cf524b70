package web

import (
	"bytes"
	"html/template"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// markdown renders editor Markdown (GitHub flavour: tables, strikethrough,
// autolinks) and sanitizes the HTML, so an article can never carry script.
type markdown struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
	marks  *bluemonday.Policy
}

func newMarkdown() *markdown {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	marks := bluemonday.NewPolicy()
	marks.AllowElements("mark")
	return &markdown{md: goldmark.New(goldmark.WithExtensions(extension.GFM)), policy: p, marks: marks}
}

// Render turns Markdown into safe HTML.
func (m *markdown) Render(src string) template.HTML {
	var buf bytes.Buffer
	if err := m.md.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(m.policy.SanitizeBytes(buf.Bytes()))
}

// Highlight keeps only <mark> from a search fragment.
func (m *markdown) Highlight(fragment string) template.HTML {
	return template.HTML(m.marks.Sanitize(fragment))
}
