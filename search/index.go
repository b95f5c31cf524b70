package search

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
)

// Config tunes an Index. Zero fields mean the documented defaults.
type Config struct {
	// DefaultLocale is used for docs and queries without a locale.
	// Default: DefaultLocale ("en").
	DefaultLocale string
	// Candidates is how many articles of a knowledge base of more than
	// 200 (exhaustiveMax) the model's postings hand to the re-ranker in
	// Retrieve; a smaller one is re-ranked whole. Default: 30.
	Candidates int
	// MinConfidence, when set, is the confidence at or above which
	// Retrieve answers with its best article instead of handing off.
	// Default: the threshold fitted on the knowledge base when the index
	// is built (see calibrate.go).
	MinConfidence float64
	// BatchSize is the number of docs per index batch when rebuilding.
	// Default: 5000.
	BatchSize int
	// CacheSize is how many Search results, and how many Retrieve
	// results, are kept for repeated queries (as-you-type prefixes and
	// common chat questions repeat a lot); every write empties the caches.
	// Default: 4096; negative disables the caches.
	CacheSize int

	confidence func(features) float64 // for tuning tests only
	refitUnits int                    // refitMax unless set, for tests
}

func (c Config) withDefaults() Config {
	if c.DefaultLocale == "" {
		c.DefaultLocale = DefaultLocale
	}
	if c.Candidates == 0 {
		c.Candidates = 30
	}
	if c.BatchSize == 0 {
		c.BatchSize = 5000
	}
	if c.CacheSize == 0 {
		c.CacheSize = 4096
	}
	return c
}

// Index is the knowledge-base index: a bleve index of articles plus the
// in-memory term model the re-ranker uses. It is safe for concurrent use.
type Index struct {
	cfg     Config
	dir     string // empty for an in-memory index
	mapping *mapping.IndexMappingImpl

	writeMu sync.Mutex // serialises writers

	mu sync.RWMutex // guards bi and m against a Rebuild swap
	bi bleve.Index
	m  *model

	cache      *resultCache[Result]    // nil when disabled
	retrievals *resultCache[Retrieval] // nil when disabled
	fuzzy      *fuzzyCache             // fuzzy expansions of words (see cachedTextQuery); nil when caches are disabled
	gen        atomic.Uint64           // bumped by every write

	// cal is the confidence fitted on the knowledge base (calibrate.go);
	// nil while it has too few articles to learn from.
	cal atomic.Pointer[calibrator]
	// overrides holds the thresholds editors chose, by locale (see
	// SetThresholds); never nil once the index is made.
	overrides atomic.Pointer[map[string]float64]
	// refitting is set while a background refit runs; refitAgain asks it
	// for one more round (writes came meanwhile).
	refitting, refitAgain atomic.Bool
}

// Generation changes with every write to the index (after the write): a
// caller that keeps what it learnt from the index, or about the articles
// the index returns, drops it when the generation moves.
func (ix *Index) Generation() uint64 { return ix.gen.Load() }

// Internal keys kept in the bleve index next to the documents.
const (
	keyVersion = "fd/mapping_version"
	keyXor     = "fd/fp_xor"
	keyCount   = "fd/fp_count"
	keyDocHash = "fd/h/"
)

const indexDirName = "index.bleve"

// Open opens the index kept in dir, creating it (empty) when missing. An
// index written with another mapping version opens empty-fingerprinted, so
// EnsureFresh rebuilds it.
func Open(dir string, cfg Config) (*Index, error) {
	ix, err := newIndex(dir, cfg)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, indexDirName)
	bi, err := bleve.Open(path)
	switch {
	case errors.Is(err, bleve.ErrorIndexPathDoesNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("search: open: %w", err)
		}
		bi, err = ix.create(path)
		if err != nil {
			return nil, err
		}
	case err != nil:
		return nil, fmt.Errorf("search: open %s: %w", path, err)
	}
	ix.bi = bi
	if v, _ := bi.GetInternal([]byte(keyVersion)); string(v) != mappingVersion {
		// Built by an older binary: drop it; EnsureFresh will fill it.
		_ = bi.Close()
		if err := os.RemoveAll(path); err != nil {
			return nil, fmt.Errorf("search: open: drop old index: %w", err)
		}
		if ix.bi, err = ix.create(path); err != nil {
			return nil, err
		}
		return ix, nil
	}
	if err := ix.loadModel(context.Background()); err != nil {
		_ = bi.Close()
		return nil, err
	}
	// Nothing searches yet: the model may be fitted on in place.
	if err := ix.fit(context.Background(), bi, ix.m); err != nil {
		_ = bi.Close()
		return nil, err
	}
	return ix, nil
}

// fit fits the confidence on m, which nothing else may use meanwhile, and
// installs it.
func (ix *Index) fit(ctx context.Context, bi bleve.Index, m *model) error {
	c, err := fitCalibrator(m, candidatesFor(ctx, bi, m, len(m.arts), ix.cfg.Candidates))
	if err != nil {
		return fmt.Errorf("search: fit confidence: %w", err)
	}
	m.prepareAll()
	ix.cal.Store(c)
	return nil
}

// refitMax is the size (titles, summaries, phrasings and body sentences)
// up to which a write refits the confidence before it returns; a larger
// knowledge base is refitted in the background, keeping the previous fit
// meanwhile (one article changes it little, and the fit maps scores, not
// articles). Kept small: on the 43-article demo help centre a refit made
// an editor's save wait for seconds on a loaded machine.
const refitMax = 200

// refit refits the confidence after a write, on a copy of the model read
// back from the index. ix.mu must be read-locked.
func (ix *Index) refit(ctx context.Context) error {
	m := newRetrievalModel(ix.mapping)
	if err := loadModelInto(ctx, ix.bi, m); err != nil {
		return err
	}
	c, err := fitCalibrator(m, candidatesFor(ctx, ix.bi, m, len(m.arts), ix.cfg.Candidates))
	if err != nil {
		return fmt.Errorf("search: fit confidence: %w", err)
	}
	ix.cal.Store(c)
	// Confidences and decisions may change, and with them the results
	// page (it shows Retrieve's answer first).
	ix.retrievals.clear()
	ix.cache.clear()
	return nil
}

// afterWrite refits the confidence: now for a small knowledge base, in the
// background for a large one. ix.mu must be read-locked.
func (ix *Index) afterWrite(ctx context.Context) error {
	ix.m.mu.RLock()
	n := ix.m.nUnits
	ix.m.mu.RUnlock()
	if limit := ix.cfg.refitUnits; n <= refitMax && limit == 0 || limit > 0 && n <= limit {
		return ix.refit(ctx)
	}
	if ix.refitting.Swap(true) {
		ix.refitAgain.Store(true)
		return nil
	}
	go func() {
		for {
			ix.refitAgain.Store(false)
			ix.mu.RLock()
			if ix.bi != nil {
				if err := ix.refit(context.Background()); err != nil {
					slog.Warn("search: background refit", "err", err)
				}
				// The write made every article's vectors stale: prepare
				// them again here rather than in the next questions.
				ix.m.prepareAll()
			}
			ix.mu.RUnlock()
			if ix.refitAgain.Load() {
				continue
			}
			ix.refitting.Store(false)
			// A write between the check and the store found refitting set
			// and only asked for another round: take it.
			if !ix.refitAgain.Load() || ix.refitting.Swap(true) {
				return
			}
		}
	}()
	return nil
}

// NewMemory returns an empty in-memory index, for tests and evaluation.
func NewMemory(cfg Config) (*Index, error) {
	ix, err := newIndex("", cfg)
	if err != nil {
		return nil, err
	}
	if ix.bi, err = ix.create(""); err != nil {
		return nil, err
	}
	return ix, nil
}

func newIndex(dir string, cfg Config) (*Index, error) {
	im, err := buildMapping()
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	ix := &Index{cfg: cfg.withDefaults(), dir: dir, mapping: im}
	ix.overrides.Store(&map[string]float64{})
	if ix.cfg.CacheSize > 0 {
		ix.cache = newResultCache[Result](ix.cfg.CacheSize)
		ix.retrievals = newResultCache[Retrieval](ix.cfg.CacheSize)
		ix.fuzzy = newFuzzyCache()
	}
	ix.m = newRetrievalModel(im)
	return ix, nil
}

// create makes an empty bleve index at path, or in memory when path is "".
func (ix *Index) create(path string) (bleve.Index, error) {
	var bi bleve.Index
	var err error
	if path == "" {
		// Scorch without a path keeps its segments in memory; it is much
		// faster than bleve's default in-memory store (upsidedown+gtreap).
		bi, err = bleve.NewUsing("", ix.mapping, scorch.Name, bleve.Config.DefaultKVStore, nil)
	} else {
		bi, err = bleve.New(path, ix.mapping)
	}
	if err != nil {
		return nil, fmt.Errorf("search: create index: %w", err)
	}
	if err := bi.SetInternal([]byte(keyVersion), []byte(mappingVersion)); err != nil {
		_ = bi.Close()
		return nil, fmt.Errorf("search: create index: %w", err)
	}
	return bi, nil
}

// Close closes the index.
func (ix *Index) Close() error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.bi == nil {
		return nil
	}
	err := ix.bi.Close()
	ix.bi = nil
	if err != nil {
		return fmt.Errorf("search: close: %w", err)
	}
	return nil
}

// Count returns the number of articles in the index, drafts included.
func (ix *Index) Count() (uint64, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n, err := ix.bi.DocCount()
	if err != nil {
		return 0, fmt.Errorf("search: count: %w", err)
	}
	return n, nil
}

func (ix *Index) locale(l string) string {
	if l == "" {
		return ix.cfg.DefaultLocale
	}
	return l
}

// bleveDoc is the indexed form of a Doc.
func (ix *Index) bleveDoc(d Doc) map[string]interface{} {
	doc := map[string]interface{}{
		"type":     typeArticle,
		fTitle:     d.Title,
		fSummary:   d.Summary,
		fBody:      d.Body,
		fPhrasings: d.Phrasings,
		fTags:      d.Tags,
		fCategory:  d.Category,
		fLocale:    ix.locale(d.Locale),
		fPublished: d.Published,
	}
	if d.Published {
		doc[fVisible] = ix.locale(d.Locale)
		// Only what customers may see is in the as-you-type fields, so
		// that a one-locale knowledge base needs no filter while typing.
		typing := make([]string, 0, len(d.Phrasings)+2)
		typing = append(typing, d.Title, d.Summary)
		typing = append(typing, d.Phrasings...)
		doc[fTyping] = typing
		doc[fTypingPrefix] = typing
	}
	return doc
}

// Upsert adds or replaces docs, updating the fingerprint so that the index
// stays fresh for the list of docs the store now holds.
func (ix *Index) Upsert(ctx context.Context, docs ...Doc) error {
	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("search: upsert: %w", err)
	}
	fp, n, err := ix.storedFingerprint()
	if err != nil {
		return fmt.Errorf("search: upsert: %w", err)
	}
	b := ix.bi.NewBatch()
	for _, d := range docs {
		if d.ID == "" {
			return fmt.Errorf("search: upsert: doc without id")
		}
		if old, _ := ix.bi.GetInternal([]byte(keyDocHash + d.ID)); len(old) == len(fp) {
			xorInto(fp[:], old)
			n--
		}
		h := ix.docHash(d)
		xorInto(fp[:], h[:])
		n++
		if err := b.Index(d.ID, ix.bleveDoc(d)); err != nil {
			return fmt.Errorf("search: upsert %s: %w", d.ID, err)
		}
		b.SetInternal([]byte(keyDocHash+d.ID), h[:])
	}
	setFingerprint(b, fp, n)
	if err := ix.bi.Batch(b); err != nil {
		return fmt.Errorf("search: upsert: %w", err)
	}
	for _, d := range docs {
		d.Locale = ix.locale(d.Locale)
		ix.m.put(d)
	}
	ix.cache.clear()
	ix.retrievals.clear()
	ix.fuzzy.reset()
	ix.gen.Add(1)
	if err := ix.afterWrite(ctx); err != nil {
		return fmt.Errorf("search: upsert: %w", err)
	}
	return nil
}

// Delete removes docs by ID; unknown IDs are ignored.
func (ix *Index) Delete(ctx context.Context, ids ...string) error {
	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("search: delete: %w", err)
	}
	fp, n, err := ix.storedFingerprint()
	if err != nil {
		return fmt.Errorf("search: delete: %w", err)
	}
	b := ix.bi.NewBatch()
	for _, id := range ids {
		if old, _ := ix.bi.GetInternal([]byte(keyDocHash + id)); len(old) == len(fp) {
			xorInto(fp[:], old)
			n--
		}
		b.Delete(id)
		b.DeleteInternal([]byte(keyDocHash + id))
	}
	setFingerprint(b, fp, n)
	if err := ix.bi.Batch(b); err != nil {
		return fmt.Errorf("search: delete: %w", err)
	}
	for _, id := range ids {
		ix.m.remove(id)
	}
	ix.cache.clear()
	ix.retrievals.clear()
	ix.fuzzy.reset()
	ix.gen.Add(1)
	if err := ix.afterWrite(ctx); err != nil {
		return fmt.Errorf("search: delete: %w", err)
	}
	return nil
}

// Rebuild replaces the whole content of the index by docs. Searches keep
// being served by the old index until the new one is complete.
func (ix *Index) Rebuild(ctx context.Context, docs []Doc) error {
	ix.writeMu.Lock()
	defer ix.writeMu.Unlock()
	path, tmp := "", ""
	if ix.dir != "" {
		path = filepath.Join(ix.dir, indexDirName)
		tmp = path + ".new"
		if err := os.RemoveAll(tmp); err != nil {
			return fmt.Errorf("search: rebuild: %w", err)
		}
	}
	for i, d := range docs {
		if d.ID == "" {
			return fmt.Errorf("search: rebuild: doc %d without id", i)
		}
	}
	// The re-ranker's model is built on the side, on the other core.
	m := newRetrievalModel(ix.mapping)
	modelDone := make(chan struct{})
	go func() {
		defer close(modelDone)
		for _, d := range docs {
			d.Locale = ix.locale(d.Locale)
			m.put(d)
		}
	}()
	var bi bleve.Index
	var err error
	if path == "" {
		bi, err = ix.buildMemory(ctx, docs)
	} else {
		bi, err = ix.buildDisk(ctx, tmp, docs)
	}
	<-modelDone
	if err != nil {
		return fmt.Errorf("search: rebuild: %w", err)
	}
	// The new model is not in use yet: fit the confidence on it.
	cal, err := fitCalibrator(m, candidatesFor(ctx, bi, m, len(m.arts), ix.cfg.Candidates))
	if err != nil {
		_ = bi.Close()
		return fmt.Errorf("search: rebuild: fit confidence: %w", err)
	}
	m.prepareAll()

	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.bi != nil {
		if err := ix.bi.Close(); err != nil {
			_ = bi.Close()
			return fmt.Errorf("search: rebuild: close old index: %w", err)
		}
	}
	if path != "" {
		// bleve cannot be renamed while open: close, swap directories, reopen.
		if err := bi.Close(); err != nil {
			return fmt.Errorf("search: rebuild: %w", err)
		}
		if err := os.RemoveAll(path); err != nil {
			return fmt.Errorf("search: rebuild: %w", err)
		}
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("search: rebuild: %w", err)
		}
		if bi, err = bleve.Open(path); err != nil {
			return fmt.Errorf("search: rebuild: reopen: %w", err)
		}
	}
	ix.bi, ix.m = bi, m
	ix.cal.Store(cal)
	ix.cache.clear()
	ix.retrievals.clear()
	ix.fuzzy.reset()
	ix.gen.Add(1)
	// Building leaves far more garbage than the index keeps (about 150 KB
	// an article); collect it and give its memory back to the system now,
	// while the caller waits for the rebuild anyway, rather than while the
	// index serves searches: left to the background scavenger, returning
	// a gigabyte (10,000 articles) took seconds of madvise calls that
	// delayed searches by up to 14 ms.
	debug.FreeOSMemory()
	return nil
}

// buildMemory indexes docs into a new in-memory index.
func (ix *Index) buildMemory(ctx context.Context, docs []Doc) (bleve.Index, error) {
	bi, err := ix.create("")
	if err != nil {
		return nil, err
	}
	// In-memory scorch never merges: each batch stays a segment.
	batchSize := max(ix.cfg.BatchSize, memBatchSize)
	b := bi.NewBatch()
	for i, d := range docs {
		if i > 0 && i%batchSize == 0 {
			if err := ctx.Err(); err != nil {
				_ = bi.Close()
				return nil, err
			}
			if err := bi.Batch(b); err != nil {
				_ = bi.Close()
				return nil, err
			}
			b.Reset()
		}
		if err := b.Index(d.ID, ix.bleveDoc(d)); err != nil {
			_ = bi.Close()
			return nil, fmt.Errorf("index %s: %w", d.ID, err)
		}
	}
	ix.setDocHashes(b, docs)
	if err := bi.Batch(b); err != nil {
		_ = bi.Close()
		return nil, err
	}
	return bi, nil
}

// buildDisk builds an on-disk index at path with bleve's offline builder:
// it writes segments of BatchSize docs and merges them once at the end
// into one segment, where an online index would re-merge segments as they
// come and leave several behind (a 100k-article build took over 10
// minutes that way).
func (ix *Index) buildDisk(ctx context.Context, path string, docs []Doc) (bleve.Index, error) {
	bd, err := bleve.NewBuilder(path, ix.mapping, map[string]interface{}{
		"batchSize": ix.cfg.BatchSize,
		"mergeMax":  64,
	})
	if err != nil {
		return nil, fmt.Errorf("builder: %w", err)
	}
	// The builder may not see an ID twice; as in a batch, the last wins.
	last := make(map[string]int, len(docs))
	for i, d := range docs {
		last[d.ID] = i
	}
	for i, d := range docs {
		if last[d.ID] != i {
			continue
		}
		if i%1000 == 0 {
			if err := ctx.Err(); err != nil {
				_ = bd.Close()
				return nil, err
			}
		}
		if err := bd.Index(d.ID, ix.bleveDoc(d)); err != nil {
			_ = bd.Close()
			return nil, fmt.Errorf("index %s: %w", d.ID, err)
		}
	}
	if err := bd.Close(); err != nil {
		return nil, fmt.Errorf("builder: %w", err)
	}
	bi, err := bleve.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open built index: %w", err)
	}
	b := bi.NewBatch()
	b.SetInternal([]byte(keyVersion), []byte(mappingVersion))
	ix.setDocHashes(b, docs)
	if err := bi.Batch(b); err != nil {
		_ = bi.Close()
		return nil, err
	}
	return bi, nil
}

// setDocHashes records each doc's hash and the fingerprint of the list.
func (ix *Index) setDocHashes(b *bleve.Batch, docs []Doc) {
	var fp [16]byte
	for _, d := range docs {
		h := ix.docHash(d)
		b.SetInternal([]byte(keyDocHash+d.ID), h[:])
		xorInto(fp[:], h[:])
	}
	setFingerprint(b, fp, uint64(len(docs)))
}

// memBatchSize is the minimum batch size of an in-memory rebuild: each
// batch becomes a segment that is never merged.
const memBatchSize = 10000

// Fingerprint returns a fingerprint of a full list of docs: it changes when
// any doc is added, removed or edited, whatever the order of the list. An
// index is fresh when its Fingerprint equals Fingerprint(docs).
func Fingerprint(docs []Doc, cfg Config) string {
	cfg = cfg.withDefaults()
	ix := &Index{cfg: cfg}
	var fp [16]byte
	for _, d := range docs {
		h := ix.docHash(d)
		xorInto(fp[:], h[:])
	}
	return formatFingerprint(fp, uint64(len(docs)))
}

// Fingerprint returns the fingerprint of the docs the index holds, as
// maintained by Rebuild, Upsert and Delete.
func (ix *Index) Fingerprint() (string, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	fp, n, err := ix.storedFingerprint()
	if err != nil {
		return "", fmt.Errorf("search: fingerprint: %w", err)
	}
	return formatFingerprint(fp, n), nil
}

// Stale reports whether the index content differs from docs.
func (ix *Index) Stale(docs []Doc) (bool, error) {
	got, err := ix.Fingerprint()
	if err != nil {
		return false, err
	}
	return got != Fingerprint(docs, ix.cfg), nil
}

// EnsureFresh rebuilds the index from docs when it is missing or stale,
// and reports whether it did. Call it at start-up with every article.
func (ix *Index) EnsureFresh(ctx context.Context, docs []Doc) (bool, error) {
	stale, err := ix.Stale(docs)
	if err != nil {
		return false, err
	}
	if !stale {
		return false, nil
	}
	return true, ix.Rebuild(ctx, docs)
}

func formatFingerprint(fp [16]byte, n uint64) string {
	return fmt.Sprintf("%s-%d-%s", hex.EncodeToString(fp[:]), n, mappingVersion)
}

func (ix *Index) storedFingerprint() ([16]byte, uint64, error) {
	var fp [16]byte
	x, err := ix.bi.GetInternal([]byte(keyXor))
	if err != nil {
		return fp, 0, err
	}
	copy(fp[:], x)
	c, err := ix.bi.GetInternal([]byte(keyCount))
	if err != nil {
		return fp, 0, err
	}
	var n uint64
	if len(c) == 8 {
		n = binary.BigEndian.Uint64(c)
	}
	return fp, n, nil
}

func setFingerprint(b *bleve.Batch, fp [16]byte, n uint64) {
	var c [8]byte
	binary.BigEndian.PutUint64(c[:], n)
	b.SetInternal([]byte(keyXor), append([]byte(nil), fp[:]...))
	b.SetInternal([]byte(keyCount), c[:])
}

func (ix *Index) docHash(d Doc) [16]byte {
	d.Locale = ix.locale(d.Locale)
	d.UpdatedAt = d.UpdatedAt.UTC()
	j, _ := json.Marshal(d) // a Doc always marshals
	s := sha256.Sum256(j)
	var h [16]byte
	copy(h[:], s[:])
	return h
}

func xorInto(dst, src []byte) {
	for i := range dst {
		if i < len(src) {
			dst[i] ^= src[i]
		}
	}
}

// loadModel rebuilds the in-memory term model from the stored fields of an
// existing index.
func (ix *Index) loadModel(ctx context.Context) error {
	return loadModelInto(ctx, ix.bi, ix.m)
}

// loadModelInto fills m from the stored fields of bi.
func loadModelInto(ctx context.Context, bi bleve.Index, m *model) error {
	const page = 1000
	var after []string
	for {
		req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), page, 0, false)
		req.Fields = []string{fTitle, fSummary, fBody, fPhrasings, fVisible, fCategory}
		req.SortBy([]string{"_id"})
		if after != nil {
			req.SetSearchAfter(after)
		}
		res, err := bi.SearchInContext(ctx, req)
		if err != nil {
			return fmt.Errorf("search: load model: %w", err)
		}
		for _, h := range res.Hits {
			m.put(docFromFields(h))
		}
		if len(res.Hits) < page {
			return nil
		}
		after = []string{res.Hits[len(res.Hits)-1].ID}
	}
}

func docFromFields(h *search.DocumentMatch) Doc {
	d := Doc{ID: h.ID}
	d.Locale, _ = h.Fields[fVisible].(string)
	d.Published = d.Locale != ""
	d.Title, _ = h.Fields[fTitle].(string)
	d.Summary, _ = h.Fields[fSummary].(string)
	d.Body, _ = h.Fields[fBody].(string)
	d.Phrasings = stringsField(h.Fields[fPhrasings])
	d.Category, _ = h.Fields[fCategory].(string)
	return d
}

func stringsField(v interface{}) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []interface{}:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// display returns what a hit shows of an article: from the model, or, in
// the moment between an index write and the model's update, from the
// article's stored fields.
func (ix *Index) display(ctx context.Context, id string) (title, summary, category string, err error) {
	if t, s, c, ok := ix.m.display(id); ok {
		return t, s, c, nil
	}
	req := bleve.NewSearchRequestOptions(bleve.NewDocIDQuery([]string{id}), 1, 0, false)
	req.Fields = []string{fTitle, fSummary, fCategory}
	res, err := ix.bi.SearchInContext(ctx, req)
	if err != nil {
		return "", "", "", err
	}
	if len(res.Hits) == 1 {
		h := res.Hits[0]
		title, _ = h.Fields[fTitle].(string)
		summary, _ = h.Fields[fSummary].(string)
		category, _ = h.Fields[fCategory].(string)
	}
	return title, summary, category, nil
}
