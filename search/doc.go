// Package search is the knowledge-base search library: a bleve index of
// help articles that serves FAQ search (as-you-type, highlights, facets,
// pagination) and, through Retrieve, the one retrieval-and-decision step the
// FAQ page and the chat bot share: which articles answer a question, and
// whether the best one is good enough or the question should go to a person.
//
// An Index lives in a data directory (Open) or in memory (NewMemory). It is
// kept in step with the store by Upsert and Delete, and rebuilt by
// EnsureFresh when its fingerprint no longer matches the full list of docs.
//
// Evaluate runs labelled query sets through exactly the same Retrieve call;
// GenerateKB and RunLoad drive the search-as-you-type benchmark through the
// Searcher interface, so another backend can be measured the same way.
package search

import "time"

// Doc is one help article as the search index sees it. The store converts
// its articles into Docs.
type Doc struct {
	ID           string    `json:"id"`
	Title        string    `json:"title"`
	Summary      string    `json:"summary,omitempty"`
	Body         string    `json:"body,omitempty"`
	Phrasings    []string  `json:"phrasings,omitempty"`
	Tags         []string  `json:"tags,omitempty"`
	Category     string    `json:"category,omitempty"`
	CategoryPath []string  `json:"category_path,omitempty"`
	Locale       string    `json:"locale,omitempty"`
	Published    bool      `json:"published"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// DefaultLocale is the locale of docs and queries that name none.
const DefaultLocale = "en"
