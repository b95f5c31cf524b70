package search

import (
	"container/list"
	"strconv"
	"strings"
	"sync"
)

// resultCache keeps the last results of Search or Retrieve. Search-as-you-type
// sends the same short prefixes over and over ("ho", "how do I re"), and
// those are the costliest queries, matching the most articles; chat
// customers ask the common questions over and over. Every write to the index
// empties it.
type resultCache[V any] struct {
	mu    sync.Mutex
	max   int
	ll    *list.List // of *cacheEntry, most recent first
	items map[string]*list.Element
	gen   uint64 // bumped by clear
}

type cacheEntry[V any] struct {
	key string
	res V
}

func newResultCache[V any](max int) *resultCache[V] {
	return &resultCache[V]{max: max, ll: list.New(), items: make(map[string]*list.Element, max)}
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

func (c *resultCache[V]) get(key string) (V, bool) {
	var zero V
	if c == nil {
		return zero, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok {
		return zero, false
	}
	c.ll.MoveToFront(e)
	return e.Value.(*cacheEntry[V]).res, true
}

// generation returns the cache generation, to pass to put: a result
// computed while a write was under way must not outlive the write's clear.
func (c *resultCache[V]) generation() uint64 {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *resultCache[V]) put(key string, res V, gen uint64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if e, ok := c.items[key]; ok {
		e.Value.(*cacheEntry[V]).res = res
		c.ll.MoveToFront(e)
		return
	}
	c.items[key] = c.ll.PushFront(&cacheEntry[V]{key: key, res: res})
	for c.ll.Len() > c.max {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*cacheEntry[V]).key)
	}
}

func (c *resultCache[V]) clear() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.ll.Init()
	clear(c.items)
}

func retrievalKey(text, locale string, limit int) string {
	var b strings.Builder
	b.Grow(len(text) + len(locale) + 8)
	b.WriteString(locale)
	b.WriteByte(0)
	b.WriteString(strconv.Itoa(limit))
	b.WriteByte(0)
	b.WriteString(text)
	return b.String()
}
