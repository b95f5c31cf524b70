package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/frontdesk/frontdesk/internal/loadgen"
)

// candidateQuality compares the candidates the postings pick for a large
// knowledge base with those bleve's search picked before them, on
// generated questions whose article is known and on the bench's questions
// (real support queries, whose article is not).
type candidateQuality struct {
	questions                 int     // labelled questions about published articles
	recallOld, recallNew      float64 // share whose article is among the candidates
	top1Old, top1New          float64 // share whose article the model then ranks first
	bench                     int     // bench questions
	sameAnswer, oldTop1InNew  float64 // share of bench questions: the same answer or hand-off; bleve's first among the new candidates
	candOverlap               float64 // mean share of bleve's candidates among the new ones
	emptyOld, emptyNew, nDocs int
	answeredOld, answeredNew  int // bench questions the bot would answer
}

func measureCandidates(tb testing.TB, ix *Index, docs []Doc, labelled []labelledQuery, bench []string) candidateQuality {
	tb.Helper()
	ctx := context.Background()
	published := map[string]bool{}
	for _, d := range docs {
		published[d.ID] = d.Published
	}
	locale := ix.cfg.DefaultLocale
	threshold := ix.threshold(locale)
	both := func(text string) (old, cur []string, oldRank, curRank []ranked) {
		var err error
		old, err = candidateIDs(ctx, ix.bi, filtered(cachedTextQuery(text, ix.fuzzy), filterQuery(locale, "")), ix.cfg.Candidates)
		if err != nil {
			tb.Fatal(err)
		}
		cur = ix.m.candidateIDs(text, locale, ix.cfg.Candidates)
		if len(old) > 0 {
			oldRank = ix.m.score(text, old, ix.cal.Load())
		}
		if len(cur) > 0 {
			curRank = ix.m.score(text, cur, ix.cal.Load())
		}
		return old, cur, oldRank, curRank
	}
	q := candidateQuality{nDocs: len(docs)}
	for _, lq := range labelled {
		if !published[lq.id] {
			continue
		}
		q.questions++
		old, cur, oldRank, curRank := both(lq.text)
		if slices.Contains(old, lq.id) {
			q.recallOld++
		}
		if slices.Contains(cur, lq.id) {
			q.recallNew++
		}
		if len(oldRank) > 0 && oldRank[0].id == lq.id {
			q.top1Old++
		}
		if len(curRank) > 0 && curRank[0].id == lq.id {
			q.top1New++
		}
	}
	for _, text := range bench {
		q.bench++
		old, cur, oldRank, curRank := both(text)
		if len(old) == 0 {
			q.emptyOld++
		}
		if len(cur) == 0 {
			q.emptyNew++
		}
		// What the bot would do: answer with which article, or hand off.
		answer := func(r []ranked) string {
			if len(r) == 0 || r[0].conf < threshold {
				return ""
			}
			return r[0].id
		}
		if answer(oldRank) != "" {
			q.answeredOld++
		}
		if answer(curRank) != "" {
			q.answeredNew++
		}
		if answer(oldRank) == answer(curRank) {
			q.sameAnswer++
		}
		if len(oldRank) == 0 || slices.Contains(cur, oldRank[0].id) {
			q.oldTop1InNew++
		}
		if len(old) > 0 {
			in := 0
			for _, id := range old {
				if slices.Contains(cur, id) {
					in++
				}
			}
			q.candOverlap += float64(in) / float64(len(old))
		} else {
			q.candOverlap++
		}
	}
	if q.questions > 0 {
		n := float64(q.questions)
		q.recallOld /= n
		q.recallNew /= n
		q.top1Old /= n
		q.top1New /= n
	}
	if q.bench > 0 {
		n := float64(q.bench)
		q.sameAnswer /= n
		q.oldTop1InNew /= n
		q.candOverlap /= n
	}
	return q
}

func (q candidateQuality) log(tb testing.TB) {
	tb.Helper()
	tb.Logf("%d articles, %d labelled questions: recall@candidates bleve %.4f, postings %.4f; first answer right: bleve's candidates %.4f, postings' %.4f",
		q.nDocs, q.questions, q.recallOld, q.recallNew, q.top1Old, q.top1New)
	tb.Logf("%d bench questions (answered with bleve's candidates %d, with the postings' %d): the bot answers the same (or hands off) %.4f, bleve's first among the postings' candidates %.4f, bleve's candidates among them %.4f; no candidates: bleve %d, postings %d",
		q.bench, q.answeredOld, q.answeredNew, q.sameAnswer, q.oldTop1InNew, q.candOverlap, q.emptyOld, q.emptyNew)
}

// TestCandidatesAsGoodAsBleve: on a knowledge base too large to re-rank
// whole, the postings' candidates hold the article a question is about
// at least as often as bleve's did, and the model ranks it first at least
// as often. FRONTDESK_RECALL_ARTICLES=10000 measures the bench's help
// centre (slow).
func TestCandidatesAsGoodAsBleve(t *testing.T) {
	n := 1200
	if s := os.Getenv("FRONTDESK_RECALL_ARTICLES"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	docs := GenerateKB(1, n)
	ix := mustIndex(t, docs...)
	qs := loadgen.NewQuestions()
	var bench []string
	for i := 0; i < 300; i++ {
		bench = append(bench, qs.Text(i*7))
	}
	labelled := generateLabelledQueries(3, docs, 300)
	labelled = append(labelled, withTypos(4, labelled)...)
	q := measureCandidates(t, ix, docs, labelled, bench)
	q.log(t)
	if q.recallNew < q.recallOld {
		t.Errorf("recall@30 %.4f, bleve's %.4f", q.recallNew, q.recallOld)
	}
	if q.top1New < q.top1Old {
		t.Errorf("first answer right %.4f, with bleve's candidates %.4f", q.top1New, q.top1Old)
	}
}

// withTypos returns the questions again with a typo (two letters swapped)
// in every word of five letters or more: harder than GenerateQueries'
// one typo in a quarter of them.
func withTypos(seed uint64, qs []labelledQuery) []labelledQuery {
	r := rand.New(rand.NewPCG(seed, seed+1))
	out := make([]labelledQuery, len(qs))
	for i, q := range qs {
		words := strings.Fields(q.text)
		for k, w := range words {
			rs := []rune(w)
			if len(rs) >= 5 {
				j := 1 + r.IntN(len(rs)-2)
				rs[j], rs[j-1] = rs[j-1], rs[j]
				words[k] = string(rs)
			}
		}
		out[i] = labelledQuery{text: strings.Join(words, " "), id: q.id}
	}
	return out
}

// TestCandidatesRealWordTypos: the postings try typos only for words no
// article uses; bleve tried them for every word. A typo that makes another
// word of the knowledge base ("refunds" for "refund", "same" for "sale")
// then reads as that word. On questions with one such typo the postings
// find and rank the asked article as often as bleve's candidates did: the
// question's other words carry it, and the model forgives real-word typos
// among the candidates. (Trying every known word's neighbours would
// multiply the lists a question reads for nothing.)
func TestCandidatesRealWordTypos(t *testing.T) {
	docs := GenerateKB(1, 1200)
	ix := mustIndex(t, docs...)
	labelled := withRealWordTypos(docs, generateLabelledQueries(3, docs, 600))
	if len(labelled) < 100 {
		t.Fatalf("only %d questions with a real-word typo", len(labelled))
	}
	q := measureCandidates(t, ix, docs, labelled, nil)
	q.log(t)
	if q.recallNew < q.recallOld {
		t.Errorf("recall@30 %.4f, bleve's %.4f", q.recallNew, q.recallOld)
	}
	if q.top1New < q.top1Old {
		t.Errorf("first answer right %.4f, with bleve's candidates %.4f", q.top1New, q.top1Old)
	}
}

// withRealWordTypos returns the questions in which a word of four letters
// or more could be replaced by another word of the articles one edit away
// (same first letter, as bleve's fuzzy prefix), so replaced: the first such
// word, by the first such word in order.
func withRealWordTypos(docs []Doc, qs []labelledQuery) []labelledQuery {
	vocab := map[string]bool{}
	for _, d := range docs {
		for _, f := range append([]string{d.Title, d.Summary, d.Body}, d.Phrasings...) {
			for _, w := range strings.FieldsFunc(strings.ToLower(f), func(r rune) bool { return r < 'a' || r > 'z' }) {
				if len(w) >= 4 {
					vocab[w] = true
				}
			}
		}
	}
	var out []labelledQuery
	for _, q := range qs {
		words := strings.Fields(q.text)
		for k, w := range words {
			lw := strings.ToLower(strings.Trim(w, "?.,!"))
			if len(lw) < 4 {
				continue
			}
			var alt []string
			for x := range vocab {
				if x != lw && x[0] == lw[0] && editDistance(lw, x, 1) <= 1 {
					alt = append(alt, x)
				}
			}
			if len(alt) > 0 {
				slices.Sort(alt)
				words[k] = alt[0]
				out = append(out, labelledQuery{text: strings.Join(words, " "), id: q.id})
				break
			}
		}
	}
	return out
}

// TestCandidatesOnEvalSets: on the development sets' real questions, with
// the candidates cut to a few (the sets are small enough to be re-ranked
// whole, where candidates are not used), the postings hold the expected
// article at least as often as bleve did.
func TestCandidatesOnEvalSets(t *testing.T) {
	for _, set := range []string{"hint3-sofmattress", "clinc150-banking"} {
		docs, qs, err := LoadEvalSet(filepath.Join(evalDir, set))
		if err != nil {
			t.Skipf("%s: %v", set, err)
		}
		ix, err := NewMemory(Config{Candidates: 5})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ix.Close() })
		if err := ix.Rebuild(context.Background(), docs); err != nil {
			t.Fatal(err)
		}
		var labelled []labelledQuery
		for _, q := range qs {
			if q.Expect != "" {
				labelled = append(labelled, labelledQuery{text: q.Query, id: q.Expect})
			}
		}
		q := measureCandidates(t, ix, docs, labelled, nil)
		t.Logf("%s, recall@5:", set)
		q.log(t)
		if q.recallNew < q.recallOld {
			t.Errorf("%s: recall@5 %.4f, bleve's %.4f", set, q.recallNew, q.recallOld)
		}
	}
}

// postingsOf lists a model's postings by term and article id, for
// comparing two models' postings whatever their slot numbers.
func postingsOf(m *model) map[string]map[string]float32 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	byID := make(map[uint32]string, len(m.ids.words))
	for t, id := range m.ids.words {
		byID[id] = t
	}
	out := map[string]map[string]float32{}
	read := func(t string, l []posting) {
		for _, e := range l {
			a := m.cands.arts[e.slot]
			if a == nil {
				continue
			}
			if out[t] == nil {
				out[t] = map[string]float32{}
			}
			out[t][a.id] = e.tf
		}
	}
	for id, l := range m.cands.lists {
		read(byID[uint32(id)], l)
	}
	// The terms only the postings know (tags, late body), by the same
	// name: a term may have postings in both.
	for t, x := range m.cands.xwords {
		read(t, m.cands.xlists[x])
	}
	return out
}

// TestPostingsSeeTagsAndLateBody: bleve indexes an article's tags and its
// whole body, the model only its title, summary, phrasings and first
// sentences. On a knowledge base large enough to take its candidates from
// the postings, a question answered only by a tag or a late paragraph
// finds its article among the candidates, as bleve's search found it, and
// as a small knowledge base (ranked whole) has it; a tag counts less than
// a title; edits and deletes follow.
func TestPostingsSeeTagsAndLateBody(t *testing.T) {
	ctx := context.Background()
	var body []string
	for i := 0; i < maxBodyUnits+2; i++ {
		body = append(body, fmt.Sprintf("Step %d of the usual delivery is the same everywhere.", i+1))
	}
	body = append(body, "Parcels to Liechtenstein travel through Switzerland and pay customs there.")
	tagged := Doc{ID: "zz-tag", Title: "Paying in instalments", Summary: "Spread the cost of your order over three months.",
		Body: "Choose it at checkout.", Tags: []string{"Klarna", "buy now pay later"}, Published: true}
	late := Doc{ID: "zz-late", Title: "Delivery abroad", Summary: "We deliver to most of Europe.", Body: strings.Join(body, " "), Published: true}
	docs := append(GenerateKB(3, exhaustiveMax+20), tagged, late)
	ix := mustIndex(t, docs...)
	locale := ix.cfg.DefaultLocale
	cands := func(text string) []string { return ix.m.candidateIDs(text, locale, ix.cfg.Candidates) }
	questions := []struct{ text, want string }{
		{"klarna", tagged.ID},
		{"can I pay with Klarna?", tagged.ID},
		{"buy now pay later", tagged.ID},
		{"liechtenstein", late.ID},
		{"do you ship to Liechtenstein", late.ID},
		{"customs for Liechtenstein", late.ID},
	}
	for _, q := range questions {
		old, err := candidateIDs(ctx, ix.bi, filtered(cachedTextQuery(q.text, ix.fuzzy), filterQuery(locale, "")), ix.cfg.Candidates)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(old, q.want) {
			t.Fatalf("%q: bleve's candidates %v lack %s: the test asks nothing", q.text, old, q.want)
		}
		if got := cands(q.text); !slices.Contains(got, q.want) {
			t.Errorf("%q: candidates %v lack %s", q.text, got, q.want)
		}
	}
	// A word only the tag or the late paragraph has: the one candidate,
	// and Retrieve's first match (ranked whole, it is one of all).
	for _, q := range []struct{ text, want string }{{"klarna", tagged.ID}, {"liechtenstein", late.ID}} {
		r, err := ix.Retrieve(ctx, Question{Text: q.text, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if m, ok := r.Best(); !ok || m.ID != q.want {
			t.Errorf("%q: Retrieve's matches %+v, want %s first", q.text, r.Matches, q.want)
		}
	}

	// A title says more than a tag.
	titled := Doc{ID: "zz-title", Title: "Klarna accounts", Summary: "Questions about your Klarna account go to Klarna.", Published: true}
	if err := ix.Upsert(ctx, titled); err != nil {
		t.Fatal(err)
	}
	if got := cands("klarna"); len(got) < 2 || got[0] != titled.ID || !slices.Contains(got, tagged.ID) {
		t.Errorf("klarna: candidates %v, want %s before %s", got, titled.ID, tagged.ID)
	}

	// Tags edited away, and the body cut short: no longer candidates.
	noTags, short := tagged, late
	noTags.Tags, short.Body = nil, "We deliver to most of Europe."
	if err := ix.Upsert(ctx, noTags, short); err != nil {
		t.Fatal(err)
	}
	if got := cands("klarna"); slices.Contains(got, tagged.ID) {
		t.Errorf("tags removed: still a candidate for them: %v", got)
	}
	if got := cands("liechtenstein"); slices.Contains(got, late.ID) {
		t.Errorf("paragraph removed: still a candidate for it: %v", got)
	}
	if err := ix.Upsert(ctx, tagged); err != nil {
		t.Fatal(err)
	}
	if err := ix.Delete(ctx, titled.ID); err != nil {
		t.Fatal(err)
	}
	if got := cands("klarna"); len(got) != 1 || got[0] != tagged.ID {
		t.Errorf("tags back, title article deleted: candidates %v", got)
	}
	// The same articles built afresh have the same postings.
	fresh := newRetrievalModel(ix.mapping)
	for _, d := range append(docs[:len(docs)-2:len(docs)-2], tagged, short) {
		d.Locale = ix.locale(d.Locale)
		fresh.put(d)
	}
	if got, want := postingsOf(ix.m), postingsOf(fresh); !reflect.DeepEqual(got, want) {
		t.Errorf("after writes, the postings differ from a fresh build's")
	}
}

// TestPostingsFollowWrites: on a knowledge base large enough to take its
// candidates from the postings, an article created, edited, unpublished
// or deleted is found, or not, at once; typos of its words find it; and
// the postings stay what a fresh build of the same articles makes
// (through the confidence's fitting, which takes articles out and puts
// them back).
func TestPostingsFollowWrites(t *testing.T) {
	ctx := context.Background()
	docs := GenerateKB(3, exhaustiveMax+20)
	ix := mustIndex(t, docs...)
	first := func(text string) string {
		t.Helper()
		r, err := ix.Retrieve(ctx, Question{Text: text, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Matches) == 0 {
			return ""
		}
		return r.Matches[0].ID
	}
	cands := func(text string) []string {
		return ix.m.candidateIDs(text, ix.cfg.DefaultLocale, ix.cfg.Candidates)
	}
	upsert := func(d Doc) {
		t.Helper()
		if err := ix.Upsert(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	doc := Doc{ID: "zz-klondike", Title: "Klondike vouchers", Summary: "Redeem a Klondike voucher at checkout.", Published: true}
	if got := cands("klondike voucher"); slices.Contains(got, doc.ID) {
		t.Fatalf("before it is written: candidates %v", got)
	}
	upsert(doc)
	for _, text := range []string{"klondike voucher", "how do I use a klondkie voucher", "klondik"} {
		if got := cands(text); !slices.Contains(got, doc.ID) {
			t.Errorf("created: %q: candidates %v", text, got)
		}
		if got := first(text); got != doc.ID {
			t.Errorf("created: %q: first match %q", text, got)
		}
	}

	// Typos of words every other article uses find what the words find.
	upsert(Doc{ID: "zz-pw", Title: "Reset your password", Summary: "Choose a new password from the sign-in page.", Published: true})
	upsert(Doc{ID: "zz-ret", Title: "Return an item", Summary: "Send back what you bought within 30 days.", Published: true})
	for _, tt := range []struct{ typo, right, want string }{
		{"reset my pasword", "reset my password", "zz-pw"},
		{"how do I retrun an item", "how do I return an item", "zz-ret"},
		{"pasword", "password", ""},
		{"retrun", "return", ""},
		{"klondkie", "klondike", doc.ID},
	} {
		got, want := first(tt.typo), first(tt.right)
		if got != want || want == "" || tt.want != "" && got != tt.want {
			t.Errorf("%q finds %q, %q finds %q (want %q)", tt.typo, got, tt.right, want, tt.want)
		}
	}

	edited := doc
	edited.Title, edited.Summary = "Yukon gift tokens", "Redeem a Yukon token at checkout."
	upsert(edited)
	if got := cands("klondike"); slices.Contains(got, doc.ID) {
		t.Errorf("edited: the old word still finds it: %v", got)
	}
	if got := first("yukon token"); got != doc.ID {
		t.Errorf("edited: the new words find %q", got)
	}

	draft := edited
	draft.Published = false
	upsert(draft)
	if got := cands("yukon token"); slices.Contains(got, doc.ID) {
		t.Errorf("unpublished: still a candidate: %v", got)
	}
	other := edited
	other.Locale = "de"
	upsert(other)
	if got := cands("yukon token"); slices.Contains(got, doc.ID) {
		t.Errorf("in another locale: a candidate in %s: %v", ix.cfg.DefaultLocale, got)
	}
	if got := ix.m.candidateIDs("yukon token", "de", 5); !slices.Contains(got, doc.ID) {
		t.Errorf("in its locale: candidates %v", got)
	}

	upsert(edited)
	if err := ix.Delete(ctx, doc.ID, docs[0].ID, "zz-pw", "zz-ret"); err != nil {
		t.Fatal(err)
	}
	if got := cands("yukon token"); slices.Contains(got, doc.ID) {
		t.Errorf("deleted: still a candidate: %v", got)
	}

	// Questions while articles are written (for -race): readers until
	// the writer is done.
	qs := GenerateQueries(5, docs, 40)
	done := make(chan struct{})
	var wg sync.WaitGroup
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := r; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				if _, err := ix.Retrieve(ctx, Question{Text: qs[i%len(qs)] + " " + strconv.Itoa(i)}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for i := 0; i < 6; i++ {
		d := docs[1+i]
		d.Title += " revised"
		upsert(d)
		upsert(docs[1+i])
	}
	close(done)
	wg.Wait()

	// The same articles built afresh have the same postings.
	fresh := newRetrievalModel(ix.mapping)
	for _, d := range docs[1:] {
		d.Locale = ix.locale(d.Locale)
		fresh.put(d)
	}
	got, want := postingsOf(ix.m), postingsOf(fresh)
	if len(got) != len(want) {
		t.Errorf("%d terms with postings, a fresh build has %d", len(got), len(want))
	}
	for term, w := range want {
		if g := got[term]; len(g) != len(w) {
			t.Errorf("%q: postings of %d articles, a fresh build's %d", term, len(g), len(w))
			continue
		}
		for id, tf := range w {
			if got[term][id] != tf {
				t.Errorf("%q in %s: %v, a fresh build's %v", term, id, got[term][id], tf)
			}
		}
	}
}
