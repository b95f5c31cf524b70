package search

import (
	"sync"
	"unicode/utf8"
)

// typoIndex finds the words of the knowledge base within a small edit
// distance of a word without comparing it with each of them: it keeps,
// for every word, the strings left after deleting up to maxTypoDeletes of
// its letters (symmetric delete, as in SymSpell). Two words within edit
// distance d (Levenshtein with adjacent swaps, see editDistance) have a
// common string left after at most d deletions from each: a substitution
// is one deletion from each side at the same place, an insertion one from
// one side, a swap one from each. A lookup generates the word's own
// deletions and reads the words filed under them; callers verify each with
// editDistance (a hash may collide, and a shared deletion string does not
// bound the distance from above).
//
// Words are only ever added: a word no article uses any more stays filed,
// and callers check that it is still in use (model.artDF). The vocabulary
// is bounded by the words of the articles ever indexed since a rebuild.
// The index holds no pointers but its list of words, so the garbage
// collector does not walk it.
type typoIndex struct {
	mu    sync.RWMutex
	ids   map[string]uint32
	words []string
	heads map[uint64]int32 // deletion string's hash -> index of its first link, plus 1
	links []typoLink
}

type typoLink struct {
	word uint32
	next int32 // index of the next link of the same hash, plus 1; 0 ends
}

// maxTypoDeletes is the largest distance a lookup finds all words within.
const maxTypoDeletes = 2

func newTypoIndex() *typoIndex {
	return &typoIndex{ids: map[string]uint32{}, heads: map[uint64]int32{}}
}

// add files a word; a word filed before is left as it is.
func (x *typoIndex) add(w string) {
	if w == "" || isBigram(w) {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if _, ok := x.ids[w]; ok {
		return
	}
	id := uint32(len(x.words))
	x.ids[w] = id
	x.words = append(x.words, w)
	seen := make(map[uint64]struct{}, 32)
	deletions([]rune(w), maxTypoDeletes, func(h uint64) {
		if _, ok := seen[h]; ok {
			return
		}
		seen[h] = struct{}{}
		x.links = append(x.links, typoLink{word: id, next: x.heads[h]})
		x.heads[h] = int32(len(x.links))
	})
}

// near calls fn with every filed word that may be within maxD
// (at most maxTypoDeletes) edits of t, each once: a superset of those
// within maxD, to be checked with editDistance.
func (x *typoIndex) near(t string, maxD int, fn func(w string)) {
	maxD = min(maxD, maxTypoDeletes)
	var buf [32]rune
	r := buf[:0]
	for _, c := range t {
		r = append(r, c)
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	var seen map[uint32]struct{}
	deletions(r, maxD, func(h uint64) {
		for l := x.heads[h]; l != 0; l = x.links[l-1].next {
			id := x.links[l-1].word
			if seen == nil {
				seen = make(map[uint32]struct{}, 16)
			}
			if _, ok := seen[id]; ok {
				continue
			}
			seen[id] = struct{}{}
			fn(x.words[id])
		}
	})
}

// deletions calls fn with the hash of r and of every string left after
// deleting up to d of its runes (d at most 2).
// The same string may come more than once ("aab" less either "a").
func deletions(r []rune, d int, fn func(h uint64)) {
	n := len(r)
	fn(hashRunes(r, -1, -1))
	if d < 1 {
		return
	}
	for i := 0; i < n; i++ {
		fn(hashRunes(r, i, -1))
	}
	if d < 2 {
		return
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			fn(hashRunes(r, i, j))
		}
	}
}

// hashRunes is the 64-bit FNV-1a hash of the UTF-8 encoding of r without
// the runes at positions skip1 and skip2 (-1 skips none).
func hashRunes(r []rune, skip1, skip2 int) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	var b [utf8.UTFMax]byte
	for i, c := range r {
		if i == skip1 || i == skip2 {
			continue
		}
		if c < utf8.RuneSelf {
			h = (h ^ uint64(c)) * prime
			continue
		}
		n := utf8.EncodeRune(b[:], c)
		for _, x := range b[:n] {
			h = (h ^ uint64(x)) * prime
		}
	}
	return h
}
