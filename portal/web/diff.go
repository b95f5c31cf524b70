package web

import "strings"

// diffLine is one line of a line diff: Op is ' ', '-' or '+'.
type diffLine struct {
	Op   string
	Text string
}

// Class names the line for styling.
func (d diffLine) Class() string {
	switch d.Op {
	case "-":
		return "del"
	case "+":
		return "ins"
	}
	return "same"
}

// diffLines computes a line diff of a and b (longest common subsequence).
// Very long inputs fall back to "all removed, all added".
func diffLines(a, b []string) []diffLine {
	// Trim the common head and tail: most edits touch a few lines.
	var head, tail []diffLine
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		head = append(head, diffLine{" ", a[0]})
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		tail = append([]diffLine{{" ", a[len(a)-1]}}, tail...)
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	var mid []diffLine
	if len(a)*len(b) > 4_000_000 {
		for _, x := range a {
			mid = append(mid, diffLine{"-", x})
		}
		for _, y := range b {
			mid = append(mid, diffLine{"+", y})
		}
	} else {
		n, m := len(a), len(b)
		lcs := make([][]int, n+1)
		for i := range lcs {
			lcs[i] = make([]int, m+1)
		}
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				if a[i] == b[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < n || j < m {
			switch {
			case i < n && j < m && a[i] == b[j]:
				mid = append(mid, diffLine{" ", a[i]})
				i, j = i+1, j+1
			case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
				mid = append(mid, diffLine{"+", b[j]})
				j++
			default:
				mid = append(mid, diffLine{"-", a[i]})
				i++
			}
		}
	}
	return append(append(head, mid...), tail...)
}

// diffArticles diffs two versions' title, summary and body as one text.
func diffArticles(titleA, summaryA, bodyA, titleB, summaryB, bodyB string) []diffLine {
	text := func(t, s, b string) []string {
		return append([]string{"# " + t, "", "> " + s, ""}, strings.Split(b, "\n")...)
	}
	return diffLines(text(titleA, summaryA, bodyA), text(titleB, summaryB, bodyB))
}
