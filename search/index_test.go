package search

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// mustIndex returns an in-memory index holding docs, closed at test end.
func mustIndex(tb testing.TB, docs ...Doc) *Index {
	tb.Helper()
	ix, err := NewMemory(Config{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	if err := ix.Rebuild(context.Background(), docs); err != nil {
		tb.Fatal(err)
	}
	return ix
}

func mustSearch(tb testing.TB, ix *Index, q Query) Result {
	tb.Helper()
	res, err := ix.Search(context.Background(), q)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

func hitIDs(res Result) []string {
	ids := []string{}
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	return ids
}

var testDocs = []Doc{
	{ID: "returns", Title: "Returning an item", Summary: "How returns and refunds work.", Body: "You can return unused items within 30 days for a refund.", Phrasings: []string{"how do I send something back", "can I return my order"}, Category: "Returns", Published: true},
	{ID: "delivery", Title: "Delivery times", Summary: "When your parcel arrives.", Body: "Standard delivery takes 3 to 5 working days. Express delivery is next day.", Phrasings: []string{"where is my parcel", "when will my order arrive"}, Category: "Delivery", Published: true},
	{ID: "warranty", Title: "Warranty cover", Summary: "What the 10-year warranty covers.", Body: "Manufacturing defects are covered. Delivery damage must be reported in 48 hours.", Phrasings: []string{"is my mattress under guarantee"}, Category: "Products", Published: true},
	{ID: "draft", Title: "Returning furniture (draft)", Body: "Secret returns policy.", Category: "Returns", Published: false},
	{ID: "fr-returns", Title: "Retourner un article", Body: "Vous pouvez retourner un article.", Locale: "fr", Category: "Returns", Published: true},
}

func TestAnalysis(t *testing.T) {
	im, err := buildMapping()
	if err != nil {
		t.Fatal(err)
	}
	an := im.AnalyzerNamed(AnalyzerEnglish)
	tests := []struct {
		name, in string
		want     []string
	}{
		{"stems plurals and verbs", "returns refunded deliveries", []string{"return", "refund", "deliveri"}},
		{"drops stop words", "where is the order of my parcel", []string{"where", "order", "parcel"}},
		{"keeps negation", "not received", []string{"not", "receiv"}},
		{"strips possessive", "customer's order", []string{"custom", "order"}},
		{"normalises shorthand and synonyms", "pls cancle my purchase", []string{"cancel", "buy"}},
		{"splits words joined by a dot", "pain.currently", []string{"pain", "current"}},
		{"keeps the US as a country", "do you ship to the US", []string{"deliveri", "usa"}},
		{"drops us as a pronoun", "send it to us", []string{"send"}},
		{"keeps numbers and product names", "SOF ergo 72x60 6 inch", []string{"sof", "ergo", "72x60", "6", "inch"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := analyzeTerms(an, tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("analyze(%q)=%q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestAnalysisSynonymKeepsNextWord: a synonym mapped to a longer stem
// must not overwrite the word after it (terms can share the text's bytes).
func TestAnalysisSynonymKeepsNextWord(t *testing.T) {
	im, err := buildMapping()
	if err != nil {
		t.Fatal(err)
	}
	an := im.AnalyzerNamed(AnalyzerEnglish)
	longer := 0
	for _, g := range synonymGroups {
		head := stem(g[0])
		for _, w := range g[1:] {
			if strings.Contains(w, " ") || len(stem(w)) >= len(head) || isStopWord(w) {
				continue
			}
			longer++
			got := analyzeTerms(an, w+" zebra")
			if len(got) != 2 || got[0] != head || got[1] != "zebra" {
				t.Errorf("analyze(%q)=%q, want [%s zebra]", w+" zebra", got, head)
			}
		}
	}
	if longer == 0 {
		t.Fatal("no synonym maps to a longer stem: the test checks nothing")
	}
}

func TestSearch(t *testing.T) {
	ix := mustIndex(t, testDocs...)
	tests := []struct {
		name  string
		q     Query
		first string
	}{
		{"stemmed match", Query{Text: "refunds"}, "returns"},
		{"typo tolerated", Query{Text: "warrantee"}, "warranty"},
		{"prefix while typing", Query{Text: "deliv", AsYouType: true}, "delivery"},
		{"finished words and prefix", Query{Text: "where is my par", AsYouType: true}, "delivery"},
		{"typo while typing", Query{Text: "retrun my ord", AsYouType: true}, "returns"},
		{"title above body", Query{Text: "delivery"}, "delivery"},
		{"phrasing above body", Query{Text: "guarantee"}, "warranty"},
		{"locale filter", Query{Text: "retourner", Locale: "fr"}, "fr-returns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustSearch(t, ix, tt.q)
			if len(res.Hits) == 0 {
				t.Fatalf("no hits for %q", tt.q.Text)
			}
			if got := res.Hits[0].ID; got != tt.first {
				t.Fatalf("first hit=%s, want %s (all %v)", got, tt.first, hitIDs(res))
			}
		})
	}
}

func TestSearchFilters(t *testing.T) {
	ix := mustIndex(t, testDocs...)
	t.Run("drafts never returned", func(t *testing.T) {
		for _, q := range []Query{{Text: "returns"}, {Text: "secret"}, {Text: "retur", AsYouType: true}} {
			for _, h := range mustSearch(t, ix, q).Hits {
				if h.ID == "draft" {
					t.Fatalf("query %q returned the draft", q.Text)
				}
			}
			r, err := ix.Retrieve(context.Background(), Question{Text: q.Text})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range r.Matches {
				if m.ID == "draft" {
					t.Fatalf("retrieve %q returned the draft", q.Text)
				}
			}
		}
	})
	t.Run("other locale not returned", func(t *testing.T) {
		if got := hitIDs(mustSearch(t, ix, Query{Text: "vous pouvez"})); len(got) != 0 {
			t.Fatalf("en search found %v, want none", got)
		}
	})
	t.Run("category filter and facets", func(t *testing.T) {
		res := mustSearch(t, ix, Query{Text: "delivery"})
		if got, want := res.Total, uint64(2); got != want {
			t.Fatalf("total=%d, want %d", got, want)
		}
		got := map[string]int{}
		for _, c := range res.Categories {
			got[c.Category] = c.Count
		}
		if want := map[string]int{"Delivery": 1, "Products": 1}; !reflect.DeepEqual(got, want) {
			t.Fatalf("facets=%v, want %v", got, want)
		}
		if got := hitIDs(mustSearch(t, ix, Query{Text: "delivery", Category: "Products"})); !reflect.DeepEqual(got, []string{"warranty"}) {
			t.Fatalf("category hits=%v, want [warranty]", got)
		}
	})
	t.Run("pagination", func(t *testing.T) {
		all := hitIDs(mustSearch(t, ix, Query{Text: "delivery"}))
		p2 := mustSearch(t, ix, Query{Text: "delivery", From: 1, Size: 1})
		if got, want := hitIDs(p2), all[1:2]; !reflect.DeepEqual(got, want) {
			t.Fatalf("page 2=%v, want %v", got, want)
		}
		if got, want := p2.Total, uint64(len(all)); got != want {
			t.Fatalf("total=%d, want %d", got, want)
		}
	})
}

func TestHighlightsEscapeHTML(t *testing.T) {
	ix := mustIndex(t, Doc{ID: "x", Title: "Coupons <script>alert(1)</script> & codes", Body: "Use a <b>coupon</b> at checkout.", Published: true})
	res := mustSearch(t, ix, Query{Text: "coupon"})
	if len(res.Hits) != 1 {
		t.Fatalf("hits=%v, want 1", hitIDs(res))
	}
	title := strings.Join(res.Hits[0].Highlights["title"], " ")
	body := strings.Join(res.Hits[0].Highlights["body"], " ")
	for _, tc := range []struct{ got, want string }{
		{title, "<mark>Coupons</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp; codes"},
		{body, "Use a &lt;b&gt;<mark>coupon</mark>&lt;/b&gt; at checkout."},
	} {
		if tc.got != tc.want {
			t.Errorf("highlight=%q, want %q", tc.got, tc.want)
		}
	}
}

func TestIndexFollowsChanges(t *testing.T) {
	ctx := context.Background()
	ix := mustIndex(t, testDocs[:2]...)
	search := func(text string) []string { return hitIDs(mustSearch(t, ix, Query{Text: text})) }

	if got := search("mattress"); len(got) != 0 {
		t.Fatalf("before upsert: %v, want none", got)
	}
	if err := ix.Upsert(ctx, testDocs[2]); err != nil {
		t.Fatal(err)
	}
	if got, want := search("mattress"), []string{"warranty"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after publish: %v, want %v", got, want)
	}
	edited := testDocs[2]
	edited.Phrasings = []string{"is my sofa covered"}
	if err := ix.Upsert(ctx, edited); err != nil {
		t.Fatal(err)
	}
	if got := search("mattress"); len(got) != 0 {
		t.Fatalf("after edit, old phrasing found: %v", got)
	}
	unpublished := edited
	unpublished.Published = false
	if err := ix.Upsert(ctx, unpublished); err != nil {
		t.Fatal(err)
	}
	if got := search("sofa"); len(got) != 0 {
		t.Fatalf("after unpublish: %v, want none", got)
	}
	if err := ix.Delete(ctx, "delivery"); err != nil {
		t.Fatal(err)
	}
	if got := search("parcel"); len(got) != 0 {
		t.Fatalf("after delete: %v, want none", got)
	}
	stale, err := ix.Stale([]Doc{testDocs[0], unpublished})
	if err != nil {
		t.Fatal(err)
	}
	if stale {
		t.Fatal("index stale after following every change, want fresh")
	}
}

func TestEnsureFresh(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	open := func() *Index {
		t.Helper()
		ix, err := Open(dir, Config{})
		if err != nil {
			t.Fatal(err)
		}
		return ix
	}
	ix := open()
	rebuilt, err := ix.EnsureFresh(ctx, testDocs)
	if err != nil {
		t.Fatal(err)
	}
	if !rebuilt {
		t.Fatal("new index not rebuilt")
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}

	ix = open()
	if rebuilt, err = ix.EnsureFresh(ctx, testDocs); err != nil || rebuilt {
		t.Fatalf("reopened fresh index: rebuilt=%v err=%v, want false nil", rebuilt, err)
	}
	// The re-ranker's model is reloaded from the stored fields.
	r, err := ix.Retrieve(ctx, Question{Text: "where is my parcel"})
	if err != nil {
		t.Fatal(err)
	}
	if best, _ := r.Best(); best.ID != "delivery" {
		t.Fatalf("best after reopen=%q, want delivery", best.ID)
	}
	changed := append([]Doc(nil), testDocs...)
	changed[0].Body += " Changed while the server was down."
	if rebuilt, err = ix.EnsureFresh(ctx, changed); err != nil || !rebuilt {
		t.Fatalf("edited list: rebuilt=%v err=%v, want true nil", rebuilt, err)
	}
	if got := hitIDs(mustSearch(t, ix, Query{Text: "server down"})); !reflect.DeepEqual(got, []string{"returns"}) {
		t.Fatalf("after rebuild: %v, want [returns]", got)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestRetrieve(t *testing.T) {
	ix := mustIndex(t, testDocs...)
	tests := []struct {
		name     string
		q        string
		best     string
		decision Decision
	}{
		{"phrasing answered", "where is my parcel", "delivery", DecisionAnswer},
		{"reworded answered", "when does my order arrive", "delivery", DecisionAnswer},
		{"typo answered", "can I retrun my order", "returns", DecisionAnswer},
		{"unrelated handed off", "what is the capital of peru", "", DecisionHandoff},
		{"empty handed off", "  ", "", DecisionHandoff},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ix.Retrieve(context.Background(), Question{Text: tt.q})
			if err != nil {
				t.Fatal(err)
			}
			if r.Decision != tt.decision {
				t.Fatalf("decision=%s (confidence %.3f), want %s", r.Decision, r.Confidence, tt.decision)
			}
			if best, _ := r.Best(); tt.best != "" && best.ID != tt.best {
				t.Fatalf("best=%s, want %s", best.ID, tt.best)
			}
			for _, m := range r.Matches {
				if m.Confidence < 0 || m.Confidence > 1 {
					t.Fatalf("confidence %v out of [0,1]", m.Confidence)
				}
			}
		})
	}
}

func TestResolveQuestion(t *testing.T) {
	ix := mustIndex(t, testDocs...)
	m := ix.m
	var arts []*artModel
	for _, a := range m.arts {
		arts = append(arts, a)
	}
	tests := []struct {
		name, q string
		want    []string // unigrams
		unknown bool
	}{
		{"typo corrected to a KB word", "parcell", []string{"parcel"}, false},
		{"swapped letters are one typo", "retrun", []string{"return"}, false},
		{"typo mangled by the stemmer corrected as typed", "mattres", []string{"mattress"}, false},
		{"real word kept, not taken for a typo", "older", []string{"older"}, true},
		{"numbers are neutral", "parcel 42", []string{"parcel", "42"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			qi := m.resolve(m.analyzeQuestion(tt.q), arts)
			var uni []string
			for _, x := range qi.terms {
				if !isBigram(x) {
					uni = append(uni, x)
				}
			}
			if !reflect.DeepEqual(uni, tt.want) {
				t.Fatalf("terms=%q, want %q", uni, tt.want)
			}
			if got := qi.unknown > 0; got != tt.unknown {
				t.Fatalf("unknown=%v, want %v", qi.unknown, tt.unknown)
			}
		})
	}
}

func TestTypingHighlights(t *testing.T) {
	ix := mustIndex(t, Doc{ID: "x", Title: "Delivery <b>times</b> & returns", Summary: "When parcels arrive.", Published: true})
	tests := []struct {
		name, text, field, want string
	}{
		{"prefix of the last word", "deliv", "title", "<mark>Delivery</mark> &lt;b&gt;times&lt;/b&gt; &amp; returns"},
		{"finished word by stem", "parcel arr", "summary", "When <mark>parcels</mark> <mark>arrive</mark>."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustSearch(t, ix, Query{Text: tt.text, AsYouType: true})
			if len(res.Hits) != 1 {
				t.Fatalf("hits=%v, want 1", hitIDs(res))
			}
			if got := strings.Join(res.Hits[0].Highlights[tt.field], " "); got != tt.want {
				t.Fatalf("highlight=%q, want %q", got, tt.want)
			}
		})
	}
}

func TestSearchCacheFollowsWrites(t *testing.T) {
	ctx := context.Background()
	ix := mustIndex(t, testDocs[:2]...)
	q := Query{Text: "parc", AsYouType: true}
	if got, want := hitIDs(mustSearch(t, ix, q)), []string{"delivery"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("first search: %v, want %v", got, want)
	}
	if err := ix.Delete(ctx, "delivery"); err != nil {
		t.Fatal(err)
	}
	if got := hitIDs(mustSearch(t, ix, q)); len(got) != 0 {
		t.Fatalf("after delete: %v, want none (stale cache)", got)
	}
	if err := ix.Upsert(ctx, testDocs[1]); err != nil {
		t.Fatal(err)
	}
	res := mustSearch(t, ix, q)
	res.Hits[0].ID = "changed by caller"
	if got, want := hitIDs(mustSearch(t, ix, q)), []string{"delivery"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after upsert: %v, want %v", got, want)
	}
}

func TestRetrieveCacheFollowsWrites(t *testing.T) {
	ctx := context.Background()
	ix := mustIndex(t, testDocs[:3]...)
	q := Question{Text: "where is my parcel", Limit: 1}
	retrieve := func() []string {
		t.Helper()
		r, err := ix.Retrieve(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		ids := []string{}
		for _, m := range r.Matches {
			ids = append(ids, m.ID)
		}
		return ids
	}
	if got, want := retrieve(), []string{"delivery"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("first retrieval: %v, want %v", got, want)
	}
	r, _ := ix.Retrieve(ctx, q)
	r.Matches[0].ID = "changed by caller"
	if got, want := retrieve(), []string{"delivery"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("repeated retrieval: %v, want %v (a caller changed the cache)", got, want)
	}
	if err := ix.Delete(ctx, "delivery"); err != nil {
		t.Fatal(err)
	}
	if got := retrieve(); len(got) == 1 && got[0] == "delivery" {
		t.Fatalf("after delete: %v (stale cache)", got)
	}
}

func TestStoredTextKeepsDots(t *testing.T) {
	ix := mustIndex(t, Doc{ID: "x", Title: "Back pain.Currently sore", Published: true})
	res := mustSearch(t, ix, Query{Text: "currently"})
	if len(res.Hits) != 1 {
		t.Fatalf("hits=%v, want [x]: a dot between words splits them", hitIDs(res))
	}
	if got, want := res.Hits[0].Title, "Back pain.Currently sore"; got != want {
		t.Fatalf("title=%q, want %q", got, want)
	}
}

func TestTypingLocales(t *testing.T) {
	ix := mustIndex(t, testDocs...)
	if got := hitIDs(mustSearch(t, ix, Query{Text: "retourner", AsYouType: true})); len(got) != 0 {
		t.Fatalf("en typing found %v, want none", got)
	}
	if got, want := hitIDs(mustSearch(t, ix, Query{Text: "retourner", AsYouType: true, Locale: "fr"})), []string{"fr-returns"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("fr typing found %v, want %v", got, want)
	}
	one := mustIndex(t, testDocs[:4]...) // English only, one draft
	if got, want := hitIDs(mustSearch(t, one, Query{Text: "retur", AsYouType: true})), []string{"returns"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("one-locale typing found %v, want %v (no draft)", got, want)
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"parcel", "parcel", 1, 0},
		{"parcell", "parcel", 1, 1},
		{"retrun", "return", 1, 1},
		{"egro", "ergo", 1, 1},
		{"delar", "dealer", 1, 2},
		{"abc", "abcdef", 1, 2},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b, tt.limit); got != tt.want {
			t.Errorf("editDistance(%q, %q, %d)=%d, want %d", tt.a, tt.b, tt.limit, got, tt.want)
		}
	}
}

// TestTypingHighlightsMatchAnalyzer checks that the highlighter's own word
// splitting marks what a full analysis of the text would.
func TestTypingHighlightsMatchAnalyzer(t *testing.T) {
	ix := mustIndex(t)
	docs := GenerateKB(3, 200)
	texts := []string{"The customer's parcel didn't arrive.", "Don't return 3.5 kg items; e-mail us at help.desk", "Größe ändern", "pain.currently hurts"}
	for _, d := range docs {
		texts = append(texts, d.Title, d.Summary)
	}
	for _, typed := range []string{"how do I ret", "parcel arr", "customer", "returns for insu", "e-mail", "gift wrap my so", "3.5 kg it", "größe än"} {
		fast := newTypingMatcher(ix.m.an, parseTyping(ix.m.an, typed))
		slow := newTypingMatcher(ix.m.an, parseTyping(ix.m.an, typed))
		slow.filters = nil
		for _, s := range texts {
			got, gok := fast.highlight(s)
			want, wok := slow.highlight(s)
			if got != want || gok != wok {
				t.Errorf("typed %q, text %q:\n got %q\nwant %q", typed, s, got, want)
			}
		}
	}
}

func TestTypingKey(t *testing.T) {
	ix := mustIndex(t)
	an := ix.m.an
	same := [][2]string{
		{"where is my parcel ", "where is my parcel t"},
		{"where is my parcel t", "where is my parcel the"},
		{"Parcel arr", "parcel arr"},
	}
	for _, p := range same {
		if a, b := parseTyping(an, p[0]).key(), parseTyping(an, p[1]).key(); a != b {
			t.Errorf("%q and %q: keys %q and %q, want one", p[0], p[1], a, b)
		}
	}
	differ := [][2]string{
		{"parcel arr", "parcel arri"},
		{"parcel", "parcel "},
		{"parcel ar", "parcel a"},
	}
	for _, p := range differ {
		if a, b := parseTyping(an, p[0]).key(), parseTyping(an, p[1]).key(); a == b {
			t.Errorf("%q and %q: one key %q, want two", p[0], p[1], a)
		}
	}
}

func TestSoundex(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"robert", "R163"}, {"rupert", "R163"}, {"rubin", "R150"}, {"ashcraft", "A261"},
		{"tymczak", "T522"}, {"pfister", "P236"}, {"honeyman", "H555"},
		{"price", "P620"}, {"prize", "P620"}, {"trial", "T640"}, {"trail", "T640"},
		{"a", "A000"}, {"", ""}, {"42", ""},
	} {
		if got := soundex(tt.in); got != tt.want {
			t.Errorf("soundex(%q)=%q, want %q", tt.in, got, tt.want)
		}
	}
}

// A real word one edit from a word of the knowledge base is taken for a
// typo of it only when the two sound alike (same Soundex code).
func TestResolveRealWordTypos(t *testing.T) {
	ix := mustIndex(t, Doc{ID: "cost", Title: "Mattress price list", Summary: "What a mattress costs, by size.", Body: "Prices include delivery. Ask us about a trial night.", Published: true})
	m := ix.m.order
	var arts []*artModel
	for _, a := range m.arts {
		arts = append(arts, a)
	}
	for _, tt := range []struct {
		q       string
		want    []string
		unknown bool
	}{
		{"prize mattress", []string{"price", "mattress"}, false}, // P620 = P620
		{"trail night", []string{"trial", "night"}, false},       // T640 = T640
		{"right mattress", []string{"right", "mattress"}, true},  // one edit from "night", but R230 ≠ N230
		{"slice mattress", []string{"slice", "mattress"}, true},  // a real word no article uses
		{"night trials", []string{"night", "trial"}, false},
	} {
		qi := m.resolve(m.analyzeQuestion(tt.q), arts)
		var uni []string
		for _, x := range qi.terms {
			if !isBigram(x) {
				uni = append(uni, x)
			}
		}
		if !reflect.DeepEqual(uni, tt.want) || (qi.unknown > 0) != tt.unknown {
			t.Errorf("resolve(%q)=%q unknown %v, want %q unknown %v", tt.q, uni, qi.unknown, tt.want, tt.unknown)
		}
	}
}
