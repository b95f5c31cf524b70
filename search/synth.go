package search

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Vocabulary of retail-support topics for the synthetic knowledge base.
var (
	synthActions = []struct{ verb, noun string }{
		{"track", "tracking"}, {"cancel", "cancellation"}, {"return", "returns"},
		{"exchange", "exchanges"}, {"change", "changes"}, {"pay for", "payment"},
		{"reorder", "reordering"}, {"assemble", "assembly"}, {"clean", "cleaning"},
		{"register", "registration"}, {"repair", "repairs"}, {"insure", "insurance"},
		{"gift wrap", "gift wrapping"}, {"recycle", "recycling"}, {"collect", "collection"},
		{"upgrade", "upgrades"}, {"install", "installation"}, {"store", "storage"},
	}
	synthObjects = []string{
		"order", "parcel", "delivery", "invoice", "refund", "gift card", "voucher",
		"subscription", "account", "password", "loyalty points", "warranty", "receipt",
		"delivery address", "payment method", "click and collect order", "pre-order",
		"back-order", "store pickup", "bulk order", "price match", "student discount",
	}
	synthProducts = []string{
		"sofa", "mattress", "pillow", "duvet", "bed frame", "wardrobe", "desk", "office chair",
		"dining table", "bookcase", "lamp", "rug", "curtains", "towels", "kettle", "toaster",
		"coffee machine", "blender", "vacuum cleaner", "washing machine", "dishwasher", "fridge",
		"freezer", "oven", "microwave", "television", "soundbar", "headphones", "laptop",
		"tablet", "phone", "smartwatch", "printer", "router", "camera", "bicycle", "scooter",
		"tent", "barbecue", "lawn mower", "drill", "paint", "wallpaper", "tiles", "shower",
		"sink", "tap", "radiator", "heater", "fan", "air purifier", "pram", "car seat", "cot",
		"high chair", "toy", "jacket", "trainers", "boots", "backpack", "suitcase", "watch",
		"sunglasses", "perfume", "shampoo", "vitamins", "pet bed", "dog food", "cat litter",
	}
	synthModifiers = []string{
		"", "", "", "international", "express", "next day", "same day", "second hand",
		"refurbished", "damaged", "missing", "late", "oversized", "fragile", "personalised",
		"sale", "clearance", "marketplace", "business", "gift",
	}
	synthQuestion = []string{
		"How do I %s my %s?", "Can I %s a %s?", "How can I %s my %s",
		"I want to %s my %s", "Is it possible to %s a %s", "Where can I %s my %s",
		"help me %s my %s", "how long does it take to %s a %s",
	}
	synthSentences = []string{
		"You can %s your %s from the Orders page of your account.",
		"Most %s requests are handled within two working days.",
		"If your %s arrived damaged, keep the packaging and contact us with photos.",
		"Fees may apply to %s items delivered outside the mainland.",
		"We email you a confirmation once the %s has been processed.",
		"For %s items, our partner carrier will call to arrange a time slot.",
		"Refunds go back to the original payment method within 5 to 10 days.",
		"Store staff can also help with %s at the customer service desk.",
		"Please have your order number and postcode ready.",
		"Some products, such as %s, cannot be returned once opened for hygiene reasons.",
	}
	synthCategories = []string{"Orders", "Delivery", "Returns", "Payments", "Account", "Products", "Services"}
)

// GenerateKB returns n synthetic, published help articles about retail
// support (titles, summaries, bodies and phrasings built from a topic
// vocabulary). The same seed always gives the same articles.
func GenerateKB(seed uint64, n int) []Doc {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	docs := make([]Doc, n)
	for i := range docs {
		act := synthActions[r.IntN(len(synthActions))]
		obj := pick(synthObjects)
		prod := pick(synthProducts)
		mod := pick(synthModifiers)
		thing := strings.TrimSpace(mod + " " + prod)
		if r.IntN(2) == 0 {
			thing = strings.TrimSpace(mod + " " + prod + " " + obj)
		}
		// A model code keeps the 100k-article KB from being 100k copies of
		// a few hundred titles, as real catalogues have many product names.
		code := fmt.Sprintf("%c%c-%d", 'A'+r.IntN(26), 'A'+r.IntN(26), 100+r.IntN(900))
		title := fmt.Sprintf("%s %s %s", capitalise(act.verb), thing, code)
		if r.IntN(3) == 0 {
			title = fmt.Sprintf("%s for %s %s", capitalise(act.noun), thing, code)
		}
		var phr []string
		for k := 0; k < 2+r.IntN(4); k++ {
			phr = append(phr, fmt.Sprintf(pick(synthQuestion), act.verb, thing))
		}
		var body []string
		for k := 0; k < 3+r.IntN(4); k++ {
			s := pick(synthSentences)
			if strings.Contains(s, "%s your %s") {
				s = fmt.Sprintf(s, act.verb, thing)
			} else if strings.Contains(s, "%s") {
				s = fmt.Sprintf(s, pick([]string{thing, act.noun, obj, prod}))
			}
			body = append(body, s)
		}
		docs[i] = Doc{
			ID:        fmt.Sprintf("kb-%06d", i),
			Title:     title,
			Summary:   fmt.Sprintf("How %s works for %s (%s).", act.noun, thing, code),
			Body:      strings.Join(body, " "),
			Phrasings: phr,
			Tags:      []string{act.noun, prod},
			Category:  synthCategories[r.IntN(len(synthCategories))],
			Locale:    DefaultLocale,
			Published: r.IntN(20) != 0, // some drafts, as in a real KB
			UpdatedAt: base.Add(time.Duration(i) * time.Minute),
		}
	}
	return docs
}

// GenerateQueries returns n realistic customer questions about docs (their
// phrasings, some with a typo), deterministic by seed.
func GenerateQueries(seed uint64, docs []Doc, n int) []string {
	lqs := generateLabelledQueries(seed, docs, n)
	out := make([]string, len(lqs))
	for i, q := range lqs {
		out[i] = q.text
	}
	return out
}

// labelledQuery is a generated question and the article it was made from.
type labelledQuery struct{ text, id string }

// generateLabelledQueries is GenerateQueries with each question's article.
func generateLabelledQueries(seed uint64, docs []Doc, n int) []labelledQuery {
	r := rand.New(rand.NewPCG(seed, seed+1))
	out := make([]labelledQuery, 0, n)
	for len(out) < n && len(docs) > 0 {
		d := docs[r.IntN(len(docs))]
		q := d.Title
		if len(d.Phrasings) > 0 && r.IntN(3) > 0 {
			q = d.Phrasings[r.IntN(len(d.Phrasings))]
		}
		if r.IntN(4) == 0 && len(q) > 6 {
			// Swap two letters: the commonest typing slip.
			rs := []rune(q)
			i := 1 + r.IntN(len(rs)-3)
			rs[i], rs[i+1] = rs[i+1], rs[i]
			q = string(rs)
		}
		out = append(out, labelledQuery{text: q, id: d.ID})
	}
	return out
}

// TypingPrefixes expands queries into what a search-as-you-type box sends
// while each is typed character by character (from minChars on).
func TypingPrefixes(queries []string, minChars int) []string {
	var out []string
	for _, q := range queries {
		rs := []rune(q)
		for i := max(minChars, 1); i <= len(rs); i++ {
			out = append(out, string(rs[:i]))
		}
	}
	return out
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
