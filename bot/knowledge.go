package bot

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/search"
)

// ArticleFinder is the part of the store the knowledge base loads from.
type ArticleFinder interface {
	FindArticles(ctx context.Context, f portal.ArticleFilter) ([]*portal.Article, int, error)
}

// Retriever is the knowledge base's one retrieval function, the same one
// FAQ search uses (search.Index.Retrieve).
type Retriever interface {
	Retrieve(ctx context.Context, q search.Question) (search.Retrieval, error)
}

// Generational is a Retriever whose generation changes whenever what it
// retrieves from may have (search.Index.Generation).
type Generational interface {
	Generation() uint64
}

// Knowledge answers questions from the published articles: retrieval by
// the search index, and the articles' details for answers and grounding.
type Knowledge struct {
	r     Retriever
	store ArticleFinder // when set, article details come from the store
	mu    sync.RWMutex
	by    map[string]*portal.Article
	// With a store and a Generational retriever, by caches the store's
	// articles for one generation of the index.
	gen   Generational
	byGen uint64
}

// NewStoreKnowledge returns a knowledge base over r that reads article
// details from store, so that edits and unpublishing count at once. When r
// is Generational, articles read are kept until its generation moves:
// every save of an article re-indexes it, so a saved article is read
// afresh as soon as retrieval itself can see the save.
func NewStoreKnowledge(r Retriever, store ArticleFinder) *Knowledge {
	k := &Knowledge{r: r, store: store, by: map[string]*portal.Article{}}
	k.gen, _ = r.(Generational)
	return k
}

// NewKnowledge returns a knowledge base over r whose articles are known by
// the given list (ids as strconv of Article.ID, as DocFromArticle uses).
func NewKnowledge(r Retriever, articles []*portal.Article) *Knowledge {
	k := &Knowledge{r: r, by: map[string]*portal.Article{}}
	for _, a := range articles {
		k.by[strconv.FormatInt(a.ID, 10)] = a
	}
	return k
}

// LoadKnowledge loads the published articles from the store into ix and
// returns a knowledge base over it.
func LoadKnowledge(ctx context.Context, store ArticleFinder, ix *search.Index) (*Knowledge, error) {
	st := portal.ArticlePublished
	var all []*portal.Article
	for off := 0; ; {
		page, total, err := store.FindArticles(ctx, portal.ArticleFilter{Status: &st, Offset: off, Limit: 1000})
		if err != nil {
			return nil, fmt.Errorf("bot: load articles: %w", err)
		}
		all = append(all, page...)
		off += len(page)
		if len(page) == 0 || off >= total {
			break
		}
	}
	docs := make([]search.Doc, len(all))
	for i, a := range all {
		docs[i] = DocFromArticle(a)
	}
	if _, err := ix.EnsureFresh(ctx, docs); err != nil {
		return nil, fmt.Errorf("bot: index articles: %w", err)
	}
	return NewKnowledge(ix, all), nil
}

// DocFromArticle converts an article for the search index.
func DocFromArticle(a *portal.Article) search.Doc {
	return search.Doc{ID: strconv.FormatInt(a.ID, 10), Title: a.Title, Summary: a.Summary, Body: a.Body,
		Phrasings: a.Phrasings, Tags: a.Tags, Locale: a.Locale, Published: a.Status == portal.ArticlePublished, UpdatedAt: a.UpdatedAt}
}

// maxQuestion caps the text retrieval sees: a question is short, and a
// pasted essay should not make a slow query.
const maxQuestion = 300

// chatLocale is the knowledge base (locale) chats are asked in and the
// bot answers from: the chat has no choice of locale, so it is the
// index's default one. Conversations and their content gaps record it.
const chatLocale = search.DefaultLocale

// Retrieve runs the retrieval for a question.
func (k *Knowledge) Retrieve(ctx context.Context, text string) (search.Retrieval, error) {
	return k.r.Retrieve(ctx, search.Question{Text: truncateRunes(text, maxQuestion), Locale: chatLocale, Limit: 3})
}

// Article returns a published article by its search id. The article may be
// shared: callers must not change it.
func (k *Knowledge) Article(id string) (*portal.Article, bool) {
	if k.store != nil {
		var gen uint64
		if k.gen != nil {
			gen = k.gen.Generation()
			k.mu.RLock()
			a, ok := k.by[id]
			fresh := k.byGen == gen
			k.mu.RUnlock()
			if ok && fresh {
				return a, true
			}
		}
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return nil, false
		}
		st := portal.ArticlePublished
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		arts, _, err := k.store.FindArticles(ctx, portal.ArticleFilter{ID: &n, Status: &st, Limit: 1})
		if err != nil || len(arts) == 0 {
			return nil, false
		}
		if k.gen != nil {
			k.mu.Lock()
			if k.byGen != gen && k.gen.Generation() == gen {
				clear(k.by)
				k.byGen = gen
			}
			// An article read while the index moved on may be stale: keep
			// only what was read within the current generation.
			if k.byGen == gen {
				k.by[id] = arts[0]
			}
			k.mu.Unlock()
		}
		return arts[0], true
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	a, ok := k.by[id]
	return a, ok
}
