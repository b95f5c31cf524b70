package search

import (
	"container/list"
	"strconv"
	"strings"
	"sync"
)

// resultCache keeps the last results of Search. Search-as-you-type sends
// the same short prefixes over and over ("ho", "how do I re"), and those
// are the costliest queries, matching the most articles. Every write to
// the index empties it.
type resultCache struct {
	mu    sync.Mutex
	max   int
	ll    *list.List // of *cacheEntry, most recent first
	items map[string]*list.Element
	gen   uint64 // bumped by clear
}

type cacheEntry struct {
	key string
	res Result
}

func newResultCache(max int) *resultCache {
	return &resultCache{max: max, ll: list.New(), items: make(map[string]*list.Element, max)}
}

// cacheKey is the key of a search: text is the query's text, or for
// search-as-you-type what it makes of it (typed.key).
func cacheKey(q Query, text, locale string, size int) string {
	var b strings.Builder
	b.Grow(len(text) + len(locale) + len(q.Category) + 16)
	b.WriteString(locale)
	b.WriteByte(0)
	b.WriteString(q.Category)
	b.WriteByte(0)
	b.WriteString(strconv.Itoa(max(q.From, 0)))
	b.WriteByte(',')
	b.WriteString(strconv.Itoa(size))
	if q.AsYouType {
		b.WriteByte('t')
	}
	if q.NoHighlight {
		b.WriteByte('n')
	}
	b.WriteByte(0)
	b.WriteString(text)
	return b.String()
}

func (c *resultCache) get(key string) (Result, bool) {
	if c == nil {
		return Result{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return Result{}, false
	}
	c.ll.MoveToFront(e)
	return e.Value.(*cacheEntry).res, true
}

// generation returns the cache generation, to pass to put: a result
// computed while a write was under way must not outlive the write's clear.
func (c *resultCache) generation() uint64 {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *resultCache) put(key string, res Result, gen uint64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if e, ok := c.items[key]; ok {
		e.Value.(*cacheEntry).res = res
		c.ll.MoveToFront(e)
		return
	}
	c.items[key] = c.ll.PushFront(&cacheEntry{key: key, res: res})
	for c.ll.Len() > c.max {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*cacheEntry).key)
	}
}

func (c *resultCache) clear() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.ll.Init()
	clear(c.items)
}
