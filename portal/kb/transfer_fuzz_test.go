package kb

import (
	"bytes"
	"testing"
	"unicode/utf8"
)

// FuzzReadRecords: a kb import file (JSON Lines or CSV) never panics the
// reader, and what it accepts holds
// only valid text (what the stores can keep).
func FuzzReadRecords(f *testing.F) {
	for _, s := range []string{
		`{"id":"a1","title":"Return a sofa","summary":"30 days","body":"Text","category":"returns","phrasings":["send back"],"locale":"en"}` + "\n",
		"{\"id\":\"a1\"}\n{broken\n",
		"id,title,summary,body,category,phrasings,locale\na1,Return a sofa,30 days,Text,returns,send back|give back,en\n",
		"id,title\n\"a1,\"unclosed\n", "", "\xff\xfe", "id,title\na\x00,b\n",
	} {
		f.Add([]byte(s), s != "" && s[0] == '{')
	}
	f.Fuzz(func(t *testing.T, data []byte, jsonl bool) {
		format := "csv"
		if jsonl {
			format = "jsonl"
		}
		recs, _, err := ReadRecords(bytes.NewReader(data), format)
		if err != nil {
			return
		}
		for _, r := range recs {
			for _, s := range []string{r.ID, r.Title, r.Summary, r.Body, r.Category, r.Locale} {
				if !utf8.ValidString(s) || bytes.IndexByte([]byte(s), 0) >= 0 {
					t.Fatalf("accepted text the stores refuse: %q", s)
				}
			}
		}
	})
}
