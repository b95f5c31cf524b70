package search

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
)

// English words, to tell a misspelling ("recieved", "matress"), which is
// corrected to the closest word of the knowledge base, from a real word the
// knowledge base never uses ("black", "violin"), which is evidence that the
// question is about something no article covers. See words_en_LICENSE.txt.
//
//go:embed words_en.txt.gz
var wordsGz []byte

var (
	wordsOnce sync.Once
	words     map[string]struct{}
)

// isEnglishWord reports whether a lower-case word is in the English word
// list. The list is decompressed on first use.
func isEnglishWord(w string) bool {
	wordsOnce.Do(func() {
		words = make(map[string]struct{}, 70000)
		zr, err := gzip.NewReader(bytes.NewReader(wordsGz))
		if err != nil {
			return // embedded at build time: cannot happen
		}
		sc := bufio.NewScanner(zr)
		for sc.Scan() {
			words[sc.Text()] = struct{}{}
		}
	})
	_, ok := words[w]
	return ok
}

// normWords rewrites the shorthand and common misspellings of support
// messages into the words they stand for, before stop words and stemming.
// It is general English, not the vocabulary of any one knowledge base.
var normWords = map[string]string{
	"u": "you", "ur": "your", "r": "are", "y": "why", "k": "ok", "n": "and",
	"pls": "please", "plz": "please", "thx": "thanks", "ty": "thanks",
	"wat": "what", "wats": "what", "wht": "what", "hw": "how", "whr": "where", "wen": "when",
	"abt": "about", "thru": "through", "tho": "though", "bcoz": "because", "bcz": "because", "coz": "because", "cuz": "because",
	"dont": "not", "don't": "not", "cant": "cannot", "can't": "cannot", "wont": "not", "won't": "not",
	"didnt": "not", "didn't": "not", "doesnt": "not", "doesn't": "not", "isnt": "not", "isn't": "not",
	"havent": "not", "haven't": "not", "hasnt": "not", "hasn't": "not", "wasnt": "not", "wasn't": "not",
	"arent": "not", "aren't": "not", "werent": "not", "weren't": "not", "couldnt": "not", "couldn't": "not",
	"im": "i", "ive": "i",
	"acct": "account", "a/c": "account", "amt": "amount", "addr": "address", "qty": "quantity",
	"info": "information", "pwd": "password", "msg": "message", "txn": "transaction", "trx": "transaction",
	"pmt": "payment", "pymt": "payment", "recd": "received", "rcvd": "received", "deliv": "delivery",
	"pic": "picture", "pics": "pictures", "pix": "pictures", "ph": "phone", "mob": "mobile",
	"asap": "immediately", "approx": "approximately",
	"recieve": "receive", "recieved": "received", "reciept": "receipt", "adress": "address",
	"refund's": "refund", "cancle": "cancel", "cancled": "cancelled", "canceled": "cancelled",
	"delivary": "delivery", "delievery": "delivery", "deliverd": "delivered", "paymnt": "payment",
}

// abbreviations are upper-case abbreviations that would otherwise be read
// as a stop word once lower-cased: "ship to the US" is about a country, not
// "us". Matched case-sensitively, before lower-casing.
var abbreviations = map[string]string{
	"US": "usa", "U.S": "usa", "USA": "usa",
}

func abbrevMap() map[string]interface{} {
	out := make(map[string]interface{}, len(abbreviations))
	for k, v := range abbreviations {
		out[k] = v
	}
	return out
}

// (Measured and dropped: WordNet 3.0's synonyms and derivations of the
// two most frequent senses of each word, 50,000 words, used for a word of
// the question that no article uses. Replacing it by the synonym an
// article uses: hint3-sofmattress 0.766 -> 0.733 overall, clinc150-banking
// 0.920 -> 0.907; added beside it: 0.725 / 0.914. Top-1 rose by at most
// 0.002, but out-of-scope questions found an article to match: such a
// word is better evidence of a question no article covers.)

// synonymGroups are words customers and help articles use for the same
// thing; each group is indexed and searched as its first word. Only
// groups whose words are interchangeable in support questions are listed,
// so that merging them never makes two different requests look alike.
var synonymGroups = [][]string{
	{"buy", "purchase", "purchasing"},
	{"price", "cost", "costs", "pricing", "priced"},
	{"cheap", "inexpensive", "affordable"},
	{"delivery", "deliver", "delivered", "ship", "shipping", "shipped", "shipment", "dispatch", "dispatched"},
	{"refund", "reimburse", "reimbursement", "repay", "repayment"},
	{"broken", "damaged", "damage", "defective", "faulty"},
	{"phone", "mobile", "cellphone", "smartphone"},
	{"email", "e-mail", "mail"},
	{"discount", "coupon", "voucher", "promo", "promotion"},
	{"warranty", "guarantee"},
	{"shop", "store", "outlet", "showroom", "branch"},
	{"dealer", "distributor", "retailer", "reseller", "stockist"},
	{"late", "delay", "delayed", "overdue"},
	{"size", "dimension", "dimensions", "measurement", "measurements"},
	{"help", "assist", "assistance", "support"},
	{"contact", "reach", "call"},
	{"fee", "charge", "charges"},
	{"quick", "fast", "rapid"},
	{"error", "bug", "glitch"},
	{"problem", "issue", "trouble"},
	{"change", "modify", "alter", "edit", "update"},
	{"remove", "delete"},
	{"begin", "start"},
	{"choose", "select"},
	{"find", "locate"},
	{"money", "funds", "cash"},
	{"lock", "freeze", "block", "suspend"},
	{"steal", "stolen", "theft"},
	{"suspicious", "fraudulent", "fraud", "scam"},
	{"instalment", "installment", "instalments", "installments"},
	{"colour", "color"},
}

// Token filter types of the analysis chain, registered with bleve once.
const (
	mapFilterType  = "fd_map"
	stemFilterType = "fd_stem"
	dotsFilterType = "fd_word_dots"
	normFilterName = "fd_norm"
	// abbrevFilterName maps abbreviations (see abbreviations).
	abbrevFilterName = "fd_abbrev"
	stemFilterName   = "fd_stem_syn"
)

func init() {
	// bleve looks analysis components up by name in its registry; an
	// error means the name is taken, which only a second copy of this
	// package could do.
	_ = registry.RegisterTokenFilter(mapFilterType, mapFilterConstructor)
	_ = registry.RegisterTokenFilter(stemFilterType, stemFilterConstructor)
	_ = registry.RegisterCharFilter(dotsFilterType, func(map[string]interface{}, *registry.Cache) (analysis.CharFilter, error) {
		return wordDots{}, nil
	})
}

// wordDots turns a dot between two letters into a space, so that
// "pain.currently" or "company.you", typed without a space after the full
// stop, are two words. Lengths are kept, hence highlight offsets too.
type wordDots struct{}

func (wordDots) Filter(in []byte) []byte {
	out := in
	for i := 1; i+1 < len(in); i++ {
		if in[i] != '.' {
			continue
		}
		r0, _ := utf8.DecodeLastRune(in[:i])
		r1, _ := utf8.DecodeRune(in[i+1:])
		if unicode.IsLetter(r0) && unicode.IsLetter(r1) {
			if &out[0] == &in[0] {
				// The input is the field's own text, stored as is.
				out = append([]byte(nil), in...)
			}
			out[i] = ' '
		}
	}
	return out
}

// stemFilter stems English words with Snowball, then maps synonyms' stems
// to their group's. Stems are cached: the words of a knowledge base are
// few next to its tokens, and stemming was a tenth of indexing time.
type stemFilter struct {
	syn map[string]string

	mu    sync.RWMutex
	cache map[string]string
}

// maxStemCache bounds the stem cache; past it, words are stemmed afresh.
const maxStemCache = 1 << 18

func (f *stemFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		f.mu.RLock()
		s, ok := f.cache[string(t.Term)]
		f.mu.RUnlock()
		if !ok {
			w := string(t.Term)
			s = stem(w)
			if r, ok := f.syn[s]; ok {
				s = r
			}
			f.mu.Lock()
			if len(f.cache) < maxStemCache {
				f.cache[w] = s
			}
			f.mu.Unlock()
		}
		// A token's term may be a slice of the text it came from, its
		// capacity running on over the next words: a longer stem (a
		// synonym's head) gets bytes of its own.
		if len(s) <= len(t.Term) {
			t.Term = append(t.Term[:0], s...)
		} else {
			t.Term = []byte(s)
		}
	}
	return in
}

func stemFilterConstructor(config map[string]interface{}, _ *registry.Cache) (analysis.TokenFilter, error) {
	f := &stemFilter{syn: map[string]string{}, cache: map[string]string{}}
	if m, ok := config["synonyms"].(map[string]interface{}); ok {
		for k, v := range m {
			if s, ok := v.(string); ok {
				f.syn[k] = s
			}
		}
	}
	return f, nil
}

// mapFilter replaces whole tokens by others.
type mapFilter map[string]string

func (f mapFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		if r, ok := f[string(t.Term)]; ok {
			t.Term = []byte(r)
		}
	}
	return in
}

func mapFilterConstructor(config map[string]interface{}, _ *registry.Cache) (analysis.TokenFilter, error) {
	f := mapFilter{}
	if m, ok := config["map"].(map[string]interface{}); ok {
		for k, v := range m {
			if s, ok := v.(string); ok {
				f[k] = s
			}
		}
	}
	return f, nil
}

// synonymStems maps the stem of every synonym to the stem of its group's
// first word, as the stemmer of AnalyzerEnglish produces them.
func synonymStems() map[string]interface{} {
	out := map[string]interface{}{}
	for _, g := range synonymGroups {
		head := stem(g[0])
		for _, w := range g[1:] {
			if s := stem(w); s != head {
				out[s] = head
			}
		}
	}
	return out
}

func normMap() map[string]interface{} {
	out := make(map[string]interface{}, len(normWords))
	for k, v := range normWords {
		out[k] = v
	}
	return out
}

func stem(w string) string {
	env := snowballstem.NewEnv(w)
	english.Stem(env)
	return env.Current()
}
