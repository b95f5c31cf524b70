package analytics

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// FactStore is the part of the store the support report's facts need.
type FactStore interface {
	portal.ReportFactsService
	ConversationStats(ctx context.Context, f portal.SupportFilter) ([]portal.ConversationStat, error)
	CaseStats(ctx context.Context, f portal.SupportFilter) ([]portal.CaseStat, error)
	SLASettings(ctx context.Context) (*portal.SLASettings, error)
	ChatSettings(ctx context.Context) (portal.ChatSettings, error)
}

// factsVersion changes when what a fact holds or how it is worked out
// changes, so that stored facts are rebuilt.
const factsVersion = "facts-2"

// factsBatch is how many items one refresh or rebuild step reads.
const factsBatch = 500

// ReportHours picks what the report's business-hours figures are measured
// on: the default SLA calendar when there is one, else the chat's opening
// hours when the chat is not always open, else nothing; and its name.
func ReportHours(set *portal.SLASettings, chat portal.ChatSettings) (BusinessHours, string) {
	if cal := set.DefaultCalendar(); cal != nil {
		return cal, fmt.Sprintf("the SLA calendar “%s” (%s)", cal.Name, cal.TimeZone)
	}
	if !chat.AlwaysOpen {
		return ChatHours(chat), "the chat's opening hours"
	}
	return nil, ""
}

// FactsFingerprint names the settings facts depend on: the SLA settings
// and the business hours the chat figures are measured in.
func FactsFingerprint(set *portal.SLASettings, chat portal.ChatSettings) string {
	var hours *portal.ChatSettings
	if set.DefaultCalendar() == nil && !chat.AlwaysOpen {
		h := chat
		h.Canned = nil
		hours = &h
	}
	b, _ := json.Marshal(struct {
		V     string
		SLA   *portal.SLASettings
		Hours *portal.ChatSettings
	}{factsVersion, set, hours})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// FactsStatus is the facts' state as a report sees it.
type FactsStatus struct {
	// Ready: the facts are built on the current settings and refreshed.
	Ready bool
	// Building and Progress tell about a rebuild (this node's).
	Building bool
	Progress float64
	// Refreshing: the facts are built on the current settings, but many
	// items changed and are being refreshed in the background; until
	// then the facts lag behind those items (see Usable).
	Refreshing bool
	// SLA and Chat are the settings read.
	SLA  *portal.SLASettings
	Chat portal.ChatSettings
}

// Usable reports whether a report may read the facts: when they are
// current, and while a large refresh brings them up to date. Reading the
// items instead costs seconds a page on a large store (a year of 100,000
// chats and cases), and a refit that moves customers between segments
// marks every open case of theirs; a report a few minutes behind, which
// says so, serves a manager better than one that takes seconds a page.
func (s FactsStatus) Usable() bool { return s.Ready || s.Refreshing }

// FactKeeper keeps the support report's per-item facts up to date: before
// a report it refreshes the items the store's triggers marked; when the
// settings the facts depend on change (a calendar, a target, the chat's
// hours) it rebuilds them all in the background, and reports read the
// items directly meanwhile.
type FactKeeper struct {
	store  FactStore
	logger *slog.Logger
	// Stale is how long a rebuild claimed by another node may go without
	// progress before this node takes it over.
	Stale time.Duration
	now   func() time.Time
	node  string // this keeper's name as a lease holder

	refresh  sync.Mutex
	mu       sync.Mutex
	building bool
	progress float64
	done     chan struct{}
	// refreshDone is closed when the last background refresh ends.
	refreshDone chan struct{}
}

// NewFactKeeper returns a keeper on store.
func NewFactKeeper(store FactStore, logger *slog.Logger) *FactKeeper {
	if logger == nil {
		logger = slog.Default()
	}
	var id [8]byte
	rand.Read(id[:])
	return &FactKeeper{store: store, logger: logger, Stale: 2 * time.Minute, now: time.Now, node: hex.EncodeToString(id[:])}
}

// Prepare reads the settings and, when the facts are built on them,
// refreshes the marked items so that the facts are current; otherwise it
// starts a rebuild (unless one runs) and says the facts are not ready.
func (k *FactKeeper) Prepare(ctx context.Context) (FactsStatus, error) {
	var st FactsStatus
	var err error
	if st.SLA, err = k.store.SLASettings(ctx); err != nil {
		return st, err
	}
	if st.Chat, err = k.store.ChatSettings(ctx); err != nil {
		return st, err
	}
	fp := FactsFingerprint(st.SLA, st.Chat)
	state, err := k.store.ReportFactsState(ctx)
	if err != nil {
		return st, err
	}
	if state.Built && state.Fingerprint == fp {
		// A few marked items are refreshed here; many (a refit that moved
		// thousands of customers' cases to new segments) in the
		// background, the report reading the items directly meanwhile.
		ds, err := k.store.DirtyReportFacts(ctx, SyncRefreshLimit+1)
		if err != nil {
			return st, err
		}
		if len(ds) == 0 {
			st.Ready = true
			return st, nil
		}
		if len(ds) <= SyncRefreshLimit && k.refresh.TryLock() {
			err := k.refreshLocked(ctx, st.SLA, st.Chat)
			k.refresh.Unlock()
			if err != nil {
				return st, err
			}
			st.Ready = true
			return st, nil
		}
		k.startRefresh(st.SLA, st.Chat)
		st.Refreshing = true
		return st, nil
	}
	// Another node's rebuild on these settings that still progresses is
	// left to finish.
	if state.Fingerprint != fp || k.now().Sub(state.UpdatedAt) > k.Stale {
		k.startBuild(fp, st.SLA, st.Chat)
	}
	k.mu.Lock()
	st.Building, st.Progress = k.building, k.progress
	k.mu.Unlock()
	return st, nil
}

// Wait blocks until this node's rebuild and background refresh (those
// that run) end or ctx ends.
func (k *FactKeeper) Wait(ctx context.Context) error {
	k.mu.Lock()
	dones := []chan struct{}{k.done, k.refreshDone}
	k.mu.Unlock()
	for _, done := range dones {
		if done == nil {
			continue
		}
		select {
		case <-done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Run prepares the facts at once and then every interval (a rebuild at
// start, and refreshes that keep a report's own refresh short) until ctx
// ends.
func (k *FactKeeper) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := k.Prepare(ctx); err != nil && ctx.Err() == nil {
			k.logger.Error("report facts", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (k *FactKeeper) startBuild(fp string, set *portal.SLASettings, chat portal.ChatSettings) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.building {
		return
	}
	k.building, k.progress, k.done = true, 0, make(chan struct{})
	done := k.done
	go func() {
		defer close(done)
		start := time.Now()
		err := k.build(context.Background(), fp, set, chat)
		k.mu.Lock()
		k.building = false
		k.mu.Unlock()
		switch {
		case errors.Is(err, errBuiltElsewhere):
			k.logger.Info("report facts rebuilt by another node")
			return
		case err != nil:
			k.logger.Error("report facts rebuild", "err", err)
			return
		}
		k.logger.Info("report facts rebuilt", "took", time.Since(start).Round(time.Millisecond))
	}()
}

// errBuiltElsewhere: the rebuild found the facts already built on its
// settings (by another node, while it waited for the lease).
var errBuiltElsewhere = errors.New("report facts: built by another node")

// build works out every item's facts anew on the settings named by fp.
func (k *FactKeeper) build(ctx context.Context, fp string, set *portal.SLASettings, chat portal.ChatSettings) error {
	k.refresh.Lock()
	defer k.refresh.Unlock()
	// The refresh lease is held for the whole rebuild, so that across
	// nodes one rebuilds at a time: a node that started at the same moment
	// waits, and then finds the facts built and leaves them alone, instead
	// of rewriting them after the first has marked them ready.
	release, err := k.claim(ctx, 250*time.Millisecond)
	if err != nil {
		return err
	}
	defer release()
	if state, err := k.store.ReportFactsState(ctx); err != nil {
		return err
	} else if state.Built && state.Fingerprint == fp {
		return errBuiltElsewhere
	}
	if err := k.store.SetReportFactsState(ctx, portal.ReportFactsState{Fingerprint: fp}); err != nil {
		return err
	}
	// Marks made from here on are refreshed after the build.
	if err := k.store.ClearAllReportFacts(ctx); err != nil {
		return err
	}
	chats, cases, err := k.store.ReportItemIDs(ctx, 0, 0, 1<<31-1)
	if err != nil {
		return err
	}
	total, done := len(chats)+len(cases), 0
	for len(chats) > 0 || len(cases) > 0 {
		nc, nk := min(len(chats), factsBatch), min(len(cases), factsBatch)
		if err := k.put(ctx, chats[:nc], cases[:nk], set, chat, true); err != nil {
			return err
		}
		chats, cases = chats[nc:], cases[nk:]
		done += nc + nk
		k.mu.Lock()
		k.progress = float64(done) / float64(max(total, 1))
		k.mu.Unlock()
		// A heartbeat, so other nodes leave the rebuild to this one.
		if err := k.store.SetReportFactsState(ctx, portal.ReportFactsState{Fingerprint: fp}); err != nil {
			return err
		}
		if err := k.renew(ctx); err != nil {
			return err
		}
	}
	if err := k.store.PackReportFactDays(ctx); err != nil {
		return err
	}
	// Settings changed during the build: leave it unbuilt; the next
	// Prepare starts again.
	nowSet, err := k.store.SLASettings(ctx)
	if err != nil {
		return err
	}
	nowChat, err := k.store.ChatSettings(ctx)
	if err != nil {
		return err
	}
	if FactsFingerprint(nowSet, nowChat) != fp {
		return nil
	}
	return k.store.SetReportFactsState(ctx, portal.ReportFactsState{Fingerprint: fp, Built: true})
}

// SyncRefreshLimit is how many marked items a report refreshes itself;
// with more, they are refreshed in the background and the report reads
// the facts as they are (FactsStatus.Usable). Kept small: a refresh
// rewrites the day blocks of every day its items were created on, and
// after a refit the SLA re-evaluation of open cases marks a few hundred
// cases a second, spread over the whole year: on durable PostgreSQL at
// 2,000 each page refreshed them itself, for 1.8 s of CPU and a p95 of
// 2.7 s for four weeks.
const SyncRefreshLimit = 100

// RefreshAllAbove is how many marked items a refresh takes on in batches,
// each rewriting the day blocks its items touch; with more it loads all
// their facts and packs every day once (refreshAll).
const RefreshAllAbove = 2000

// startRefresh refreshes the marked items in the background unless a
// refresh runs.
func (k *FactKeeper) startRefresh(set *portal.SLASettings, chat portal.ChatSettings) {
	if !k.refresh.TryLock() {
		return
	}
	done := make(chan struct{})
	k.mu.Lock()
	k.refreshDone = done
	k.mu.Unlock()
	go func() {
		defer close(done)
		defer k.refresh.Unlock()
		if err := k.refreshLocked(context.Background(), set, chat); err != nil {
			k.logger.Error("report facts refresh", "err", err)
		}
	}()
}

// Refresh works out the facts of the items marked dirty. Across nodes one
// refreshes at a time (a lease in the store), so that facts read earlier
// are never written after facts read later; a node that finds the lease
// taken waits for it, then refreshes what is left.
func (k *FactKeeper) Refresh(ctx context.Context, set *portal.SLASettings, chat portal.ChatSettings) error {
	k.refresh.Lock()
	defer k.refresh.Unlock()
	return k.refreshLocked(ctx, set, chat)
}

// refreshLocked is Refresh with k.refresh held.
func (k *FactKeeper) refreshLocked(ctx context.Context, set *portal.SLASettings, chat portal.ChatSettings) error {
	if ds, err := k.store.DirtyReportFacts(ctx, 1); err != nil || len(ds) == 0 {
		return err
	}
	release, err := k.claim(ctx, 20*time.Millisecond)
	if err != nil {
		return err
	}
	defer release()
	for {
		ds, err := k.store.DirtyReportFacts(ctx, RefreshAllAbove+1)
		if err != nil || len(ds) == 0 {
			return err
		}
		if len(ds) > RefreshAllAbove {
			return k.refreshAll(ctx, set, chat)
		}
		for len(ds) > 0 {
			n := min(len(ds), factsBatch)
			chats, cases := splitDirty(ds[:n])
			if err := k.put(ctx, chats, cases, set, chat, false); err != nil {
				return err
			}
			if err := k.store.ClearDirtyReportFacts(ctx, ds[:n]); err != nil {
				return err
			}
			ds = ds[n:]
		}
		// Marks made meanwhile are refreshed too; the lease is renewed.
		if err := k.renew(ctx); err != nil {
			return err
		}
	}
}

// refreshAll refreshes every marked item the way a rebuild loads them:
// the facts' rows in batches, then the day blocks packed once, then the
// marks cleared. Rewriting the blocks of every day each batch touches
// made a refresh of ~100,000 cases (after a refit moved them to new
// segments) take 106 s. The marks stay until the blocks are packed, so
// that meanwhile every node reads the items directly (or waits for the
// lease) rather than blocks that do not yet hold the new facts.
func (k *FactKeeper) refreshAll(ctx context.Context, set *portal.SLASettings, chat portal.ChatSettings) error {
	ds, err := k.store.DirtyReportFacts(ctx, 1<<31-1)
	if err != nil {
		return err
	}
	start := time.Now()
	for rest := ds; len(rest) > 0; {
		n := min(len(rest), 2*factsBatch)
		chats, cases := splitDirty(rest[:n])
		for len(chats) > 0 || len(cases) > 0 {
			nc, nk := min(len(chats), factsBatch), min(len(cases), factsBatch)
			if err := k.put(ctx, chats[:nc], cases[:nk], set, chat, true); err != nil {
				return err
			}
			chats, cases = chats[nc:], cases[nk:]
		}
		rest = rest[n:]
		if err := k.renew(ctx); err != nil {
			return err
		}
	}
	if err := k.store.PackReportFactDays(ctx); err != nil {
		return err
	}
	for rest := ds; len(rest) > 0; {
		n := min(len(rest), 4*factsBatch)
		if err := k.store.ClearDirtyReportFacts(ctx, rest[:n]); err != nil {
			return err
		}
		rest = rest[n:]
	}
	k.logger.Info("report facts refreshed", "items", len(ds), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// splitDirty parts marks into chat and case ids.
func splitDirty(ds []portal.DirtyFact) (chats, cases []int64) {
	for _, d := range ds {
		if d.Kind == portal.FactCase {
			cases = append(cases, d.ID)
		} else {
			chats = append(chats, d.ID)
		}
	}
	return chats, cases
}

// leaseTime is how long the refresh lease lasts unless renewed.
const leaseTime = time.Minute

// claim takes the store's refresh lease, polling every poll while another
// node holds it, and returns its release.
func (k *FactKeeper) claim(ctx context.Context, poll time.Duration) (func(), error) {
	for {
		now := k.now()
		ok, err := k.store.ClaimReportFactsRefresh(ctx, k.node, now, now.Add(leaseTime))
		if err != nil {
			return nil, err
		}
		if ok {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(poll):
		}
	}
	return func() {
		if err := k.store.ReleaseReportFactsRefresh(context.WithoutCancel(ctx), k.node); err != nil {
			k.logger.Error("report facts: release the refresh lease", "err", err)
		}
	}, nil
}

// renew extends the lease; a lease lost (it ran out and another node took
// it) stops the work, which that node does again.
func (k *FactKeeper) renew(ctx context.Context) error {
	now := k.now()
	ok, err := k.store.ClaimReportFactsRefresh(ctx, k.node, now, now.Add(leaseTime))
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("report facts: the refresh lease was taken over")
	}
	return nil
}

// put works out and stores the facts of these items; those gone from the
// store lose theirs. A rebuild or a large refresh loads them (the days are
// packed at its end).
func (k *FactKeeper) put(ctx context.Context, chatIDs, caseIDs []int64, set *portal.SLASettings, chat portal.ChatSettings, load bool) error {
	hours, _ := ReportHours(set, chat)
	var chats []portal.ChatFact
	var cases []portal.CaseFact
	var goneChats, goneCases []int64
	if len(chatIDs) > 0 {
		cs, err := k.store.ConversationStats(ctx, portal.SupportFilter{IDs: chatIDs})
		if err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, c := range cs {
			seen[c.ID] = true
			chats = append(chats, ChatFactOf(c, hours))
		}
		for _, id := range chatIDs {
			if !seen[id] {
				goneChats = append(goneChats, id)
			}
		}
	}
	if len(caseIDs) > 0 {
		cs, err := k.store.CaseStats(ctx, portal.SupportFilter{IDs: caseIDs})
		if err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, c := range cs {
			seen[c.ID] = true
			cases = append(cases, CaseFactOf(c, set))
		}
		for _, id := range caseIDs {
			if !seen[id] {
				goneCases = append(goneCases, id)
			}
		}
	}
	slices.Sort(goneChats)
	slices.Sort(goneCases)
	if load {
		return k.store.LoadReportFacts(ctx, chats, cases, goneChats, goneCases)
	}
	return k.store.PutReportFacts(ctx, chats, cases, goneChats, goneCases)
}
