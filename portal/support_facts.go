package portal

import (
	"context"
	"time"
)

// ChatFact is one conversation's contribution to the support report,
// worked out once (when the conversation changes, or when the business
// hours the report measures in change) so that a report sums narrow rows
// instead of reading every chat and its messages again.
type ChatFact struct {
	ID        int64
	CreatedAt time.Time
	// HandlerID is who handled the chat for the agent and team filters
	// (see SupportFilter); nil when nobody.
	HandlerID *int64
	// Queued went to people; AfterFailures after the bot failed to answer.
	Queued, AfterFailures bool
	// HasCase: a case was left from the chat. BotOnly: settled by the bot.
	HasCase, BotOnly bool
	// Unanswered was handed off and got no agent message.
	Unanswered bool
	// Wait is from hand-off to the first agent message, Resolution from
	// start to close (nil: none); the Business ones the same in business
	// hours (nil when the report measures none).
	Wait, BusinessWait             *time.Duration
	Resolution, BusinessResolution *time.Duration
	// Rating is the CSAT rating 1 to 5 (0: none); Comment its comment,
	// left at CommentAt.
	Rating    int
	Comment   string
	CommentAt time.Time
}

// SLAOutcome is how a case's SLA target stands in its facts.
type SLAOutcome int

// The outcomes of a target: not decided (and never will be, e.g. no
// target), met, breached, or pending until its due time (then breached
// when the report is read after it).
const (
	SLANone SLAOutcome = iota
	SLAMet
	SLABreached
	SLAPending
)

// CaseFact is one case's contribution to the support report, worked out
// on the SLA settings in force when it was written (see ChatFact). The
// parts that depend on the time of reading (a target not yet met) are
// kept as due times.
type CaseFact struct {
	ID        int64
	CreatedAt time.Time
	Channel   string
	// Answered: the case has a first reply. HandlerID is the author of the
	// first reply, or before one the assignee; TeamID the case's team (the
	// team filter's rule for cases nobody answered yet).
	Answered  bool
	HandlerID *int64
	TeamID    *int64
	Merged    bool
	// FirstResponse is the business time to the first reply (nil: none).
	FirstResponse    *time.Duration
	FirstResponseSLA SLAOutcome
	FirstResponseDue *time.Time
	// NextMet and NextBreached count decided next-response waits;
	// NextDue holds the due time of the one still running (nil: none).
	NextMet, NextBreached int
	NextDue               *time.Time
	// Resolution is the business time to solving (nil: not solved).
	Resolution    *time.Duration
	ResolutionSLA SLAOutcome
	ResolutionDue *time.Time
}

// ReportFactsState is what the stored facts were worked out on.
type ReportFactsState struct {
	// Fingerprint names the settings (business hours, SLA targets and
	// calendars) the facts were computed with; Built is false while they
	// are being rebuilt (or before the first build).
	Fingerprint string
	Built       bool
	// UpdatedAt is when the state was last written (a rebuild writes it
	// after every step, so a stalled one shows).
	UpdatedAt time.Time
}

// DirtyFact is an item whose facts are out of date: Kind "chat" or
// "case", with the number of changes seen (N), so that clearing it after
// a refresh keeps a change made meanwhile.
type DirtyFact struct {
	Kind string
	ID   int64
	N    int64
}

// Kinds of report facts.
const (
	FactChat = "chat"
	FactCase = "case"
)

// ReportFactsService keeps the support report's per-item facts. Triggers
// in the database mark an item dirty whenever it (or what its facts read:
// its messages' summary, votes, cases, thread entries) changes.
type ReportFactsService interface {
	// ReportFactsState reads the state (zero before the first build).
	ReportFactsState(ctx context.Context) (ReportFactsState, error)
	// SetReportFactsState stores the state.
	SetReportFactsState(ctx context.Context, st ReportFactsState) error
	// DirtyReportFacts lists the dirty items, at most limit.
	DirtyReportFacts(ctx context.Context, limit int) ([]DirtyFact, error)
	// ClearDirtyReportFacts forgets dirty marks that have not changed since
	// they were read.
	ClearDirtyReportFacts(ctx context.Context, ds []DirtyFact) error
	// ClearAllReportFacts drops every fact and dirty mark (before a rebuild).
	ClearAllReportFacts(ctx context.Context) error
	// ReportItemIDs lists every conversation and case id after the given
	// ones, up to limit each, by id (a rebuild's batches).
	ReportItemIDs(ctx context.Context, afterChat, afterCase int64, limit int) (chats, cases []int64, err error)
	// PutReportFacts replaces the facts of the given items: those in
	// chats and cases are written, the ids in goneChats and goneCases
	// (items no longer there) removed.
	PutReportFacts(ctx context.Context, chats []ChatFact, cases []CaseFact, goneChats, goneCases []int64) error
	// LoadReportFacts writes facts during a rebuild or a large refresh:
	// like PutReportFacts but without packing the days' blocks, which
	// PackReportFactDays then writes once for all.
	LoadReportFacts(ctx context.Context, chats []ChatFact, cases []CaseFact, goneChats, goneCases []int64) error
	// PackReportFactDays writes every day's blocks from the facts and
	// drops the blocks of days outside the facts' first and last.
	PackReportFactDays(ctx context.Context) error
	// ClaimReportFactsRefresh takes the lease on refreshing or rebuilding
	// the facts for holder until until (creating the unbuilt state when
	// there is none yet); false when another holder's still runs at now.
	ClaimReportFactsRefresh(ctx context.Context, holder string, now, until time.Time) (bool, error)
	// ReleaseReportFactsRefresh ends holder's lease.
	ReleaseReportFactsRefresh(ctx context.Context, holder string) error
	// ChatFacts reads the facts of the conversations created in the
	// filter's range that the filter keeps, in no set order.
	ChatFacts(ctx context.Context, f SupportFilter) ([]ChatFact, error)
	// CaseFacts reads the facts of the cases created in the filter's range
	// that the filter keeps, in no set order.
	CaseFacts(ctx context.Context, f SupportFilter) ([]CaseFact, error)
}
