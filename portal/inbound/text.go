package inbound

import (
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// htmlPolicy keeps the structure that carries meaning in text (paragraphs,
// lists, quotes, links) and drops everything else, scripts and styles with
// their content.
var htmlPolicy = bluemonday.UGCPolicy()

// HTMLToText sanitizes an HTML mail body with bluemonday and writes what
// is left as plain text: blocks become lines, list items get a dash,
// quoted blocks get "> " (so the history folds like a plain-text reply),
// links keep their address.
func HTMLToText(s string) string {
	z := html.NewTokenizer(strings.NewReader(htmlPolicy.Sanitize(s)))
	var b strings.Builder
	depth, pre := 0, 0
	atLineStart, space := true, false
	var href string
	newline := func() {
		space = false
		if !atLineStart {
			b.WriteByte('\n')
			atLineStart = true
		}
	}
	blank := func() {
		newline()
		if !strings.HasSuffix(b.String(), "\n\n") && b.Len() > 0 {
			b.WriteByte('\n')
		}
	}
	write := func(t string) {
		if t == "" {
			return
		}
		if atLineStart {
			b.WriteString(strings.Repeat("> ", depth))
			atLineStart = false
		}
		b.WriteString(t)
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return collapseBlankLines(b.String())
		case html.TextToken:
			t := string(z.Text())
			if pre > 0 {
				for i, line := range strings.Split(t, "\n") {
					if i > 0 {
						newline()
					}
					write(line)
				}
				continue
			}
			words := strings.Fields(t)
			space = space || startsWithSpace(t)
			if len(words) == 0 {
				continue
			}
			if space && !atLineStart {
				b.WriteByte(' ')
			}
			write(strings.Join(words, " "))
			space = strings.TrimRight(t, " \t\r\n") != t
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			start := tt != html.EndTagToken
			switch tag {
			case "br":
				newline()
				if atLineStart && depth > 0 && tt != html.EndTagToken {
					write("")
				}
			case "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "hr", "dl":
				blank()
			case "tr", "li", "dt", "dd":
				newline()
				if start && tag == "li" {
					write("- ")
				}
			case "blockquote":
				blank()
				if start {
					depth++
				} else if depth > 0 {
					depth--
				}
			case "pre":
				blank()
				if start {
					pre++
				} else if pre > 0 {
					pre--
				}
			case "a":
				if start {
					href = ""
					for hasAttr {
						var k, v []byte
						k, v, hasAttr = z.TagAttr()
						if string(k) == "href" {
							href = string(v)
						}
					}
				} else if href != "" {
					if (strings.HasPrefix(href, "http") || strings.HasPrefix(href, "mailto:")) && !strings.HasSuffix(b.String(), strings.TrimPrefix(href, "mailto:")) {
						write(" (" + href + ")")
						space = false
					}
					href = ""
				}
			}
		}
	}
}

func startsWithSpace(s string) bool {
	return s != "" && strings.ContainsRune(" \t\r\n", rune(s[0]))
}

var manyBlankLines = regexp.MustCompile(`\n(?:[ \t]*\n){2,}`)

func collapseBlankLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimSpace(manyBlankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}

// attribution matches the line a mail program writes above a quoted
// message ("On Mon, 3 Jun 2024, Ada <ada@example.com> wrote:") in the
// languages customers most often write in.
var attribution = regexp.MustCompile(`(?i)^(on|am|le|el|il|op|em|den|på)\s.{4,300}(wrote|schrieb|a écrit|escribió|ha scritto|schreef|escreveu|skrev)(\s.{1,200})?\s*:?$`)

var separator = regexp.MustCompile(`(?i)^(-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht)\s*-{2,}|_{10,}|-{5,}\s*forwarded message\s*-{5,})$`)

var outlookHeader = regexp.MustCompile(`(?i)^(from|von|de|da|van):\s`)
var outlookDate = regexp.MustCompile(`(?i)^(sent|date|gesendet|envoyé|enviado|inviato|verzonden|datum):\s`)

// FoldQuoted splits a reply into the new text and the quoted history
// below it (from an attribution line, an "Original Message" separator, an
// Outlook header block, or a closing run of "> " lines). The history is
// kept, to be shown folded. When nothing new is above it (a forward),
// everything is text.
func FoldQuoted(s string) (text, quoted string) {
	s = strings.TrimSpace(s)
	lines := strings.Split(s, "\n")
	cutAt := -1
	for i := 0; i < len(lines) && cutAt < 0; i++ {
		l := strings.TrimSpace(lines[i])
		switch {
		case attribution.MatchString(l):
			cutAt = i
		case i+1 < len(lines) && strings.HasPrefix(strings.ToLower(l), "on ") && attribution.MatchString(l+" "+strings.TrimSpace(lines[i+1])):
			cutAt = i // Gmail wraps a long attribution over two lines
		case separator.MatchString(l):
			cutAt = i
		case outlookHeader.MatchString(l) && (i == 0 || strings.TrimSpace(lines[i-1]) == "") && nextHas(lines, i, outlookDate):
			cutAt = i
		}
	}
	if cutAt < 0 {
		// A closing run of quoted (or blank) lines.
		j := len(lines)
		quotedLines := 0
		for j > 0 {
			l := strings.TrimSpace(lines[j-1])
			if strings.HasPrefix(l, ">") {
				quotedLines++
			} else if l != "" {
				break
			}
			j--
		}
		if quotedLines > 0 {
			cutAt = j
		}
	}
	if cutAt <= 0 {
		return s, ""
	}
	text = strings.TrimSpace(strings.Join(lines[:cutAt], "\n"))
	if text == "" {
		return s, ""
	}
	return text, strings.TrimSpace(strings.Join(lines[cutAt:], "\n"))
}

func nextHas(lines []string, i int, re *regexp.Regexp) bool {
	for k := i + 1; k < len(lines) && k <= i+4; k++ {
		if re.MatchString(strings.TrimSpace(lines[k])) {
			return true
		}
	}
	return false
}
