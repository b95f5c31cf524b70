package search

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var tuneDump = flag.String("search.dump", "", "write per-query candidate features of the eval sets to this file")

// TestDumpFeatures writes, for every eval query, each candidate's features,
// for offline study of the confidence function:
// go test ./search -run TestDumpFeatures -search.dump /tmp/f.jsonl
func TestDumpFeatures(t *testing.T) {
	if *tuneDump == "" {
		t.Skip("set -search.dump FILE to run")
	}
	f, err := os.Create(*tuneDump)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	for _, set := range []string{"hint3-sofmattress", "clinc150-banking"} {
		docs, qs, err := LoadEvalSet(filepath.Join(evalDir, set))
		if err != nil {
			t.Fatal(err)
		}
		for i := range docs {
			docs[i].Locale = ""
		}
		ix := mustIndex(t, docs...)
		var all []*artModel
		for _, d := range docs {
			a := ix.m.arts[d.ID]
			all = append(all, a)
			var us [][]string
			var ws []float64
			for _, u := range a.units {
				us = append(us, u.terms)
				ws = append(ws, u.weight)
			}
			if err := enc.Encode(map[string]any{"set": set, "art": a.id, "units": us, "weights": ws}); err != nil {
				t.Fatal(err)
			}
		}
		for _, q := range qs {
			cands, err := ix.candidates(context.Background(), q.Query)
			if err != nil {
				t.Fatal(err)
			}
			type c struct {
				ID string   `json:"id"`
				F  features `json:"f"`
				C  float64  `json:"c"`
			}
			var cs []c
			for _, r := range cands {
				cs = append(cs, c{r.id, r.feats, r.conf})
			}
			qw := ix.m.analyzeQuestion(q.Query)
			qi := ix.m.resolve(qw, all)
			var raws, unk []string
			for _, w := range qw {
				raws = append(raws, w.raw)
			}
			for _, w := range qi.terms {
				if !isBigram(w) && ix.m.artDF[w] == 0 {
					unk = append(unk, w)
				}
			}
			if err := enc.Encode(map[string]any{"set": set, "q": q.Query, "expect": q.Expect, "cands": cs, "terms": qi.terms, "raws": raws, "unk": unk}); err != nil {
				t.Fatal(err)
			}
		}
	}
}
