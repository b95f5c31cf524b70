package portal

import (
	"context"
	"strings"
	"time"
	"unicode"
)

// Vote is a reader's answer to "Was this helpful?" on an article.
type Vote struct {
	ID        int64
	ArticleID int64
	Helpful   bool
	Comment   string
	UserID    *int64
	CreatedAt time.Time
}

// VoteCounts sums the votes on one article.
type VoteCounts struct {
	Helpful, NotHelpful int
}

// SearchLogEntry records one FAQ search: what was asked, how many articles
// matched and which one the reader opened, if any.
type SearchLogEntry struct {
	ID        int64
	Query     string
	Locale    string
	Hits      int
	ArticleID *int64
	// Source is where the search came from: "faq", "api" or "article".
	Source    string
	UserID    *int64
	CreatedAt time.Time
}

// UnansweredQuestion is a question the chat bot could not answer from the
// knowledge base and handed to a person.
type UnansweredQuestion struct {
	ID             int64
	Question       string
	Locale         string
	Confidence     float64
	BestArticleID  *int64
	ConversationID *int64
	// AnswerSeq, when set, is the bot's answer of the conversation that
	// the question is a gap of (voted not helpful, or followed by a
	// request for a person): the question is recorded once per answer.
	AnswerSeq *int64
	CreatedAt time.Time
}

// ContentGap is a question customers asked that the knowledge base did not
// answer: searches without hits and questions the bot handed off, grouped by
// their normalised text.
type ContentGap struct {
	Query      string // the most recent wording
	Normalized string
	Searches   int // FAQ searches without hits
	Unanswered int // questions the bot could not answer
	LastAt     time.Time
	// DraftID is the article the gap was turned into, if it was.
	DraftID *int64
}

// Total is how often the gap was hit.
func (g *ContentGap) Total() int { return g.Searches + g.Unanswered }

// UnhelpfulArticle is an article with "not helpful" votes.
type UnhelpfulArticle struct {
	ArticleID   int64
	Title       string
	Slug        string
	Status      ArticleStatus
	Votes       VoteCounts
	LastComment string
}

// GapFilter bounds a content-gap report.
type GapFilter struct {
	Since time.Time
	Limit int
}

// UnansweredRecorder is the part of the knowledge-base store the chat bot
// needs: it records questions it handed off so editors see them as gaps.
type UnansweredRecorder interface {
	// RecordUnanswered stores q and sets q.ID; a question of an answer
	// (AnswerSeq) already recorded is not stored again (q.ID stays 0).
	RecordUnanswered(ctx context.Context, q *UnansweredQuestion) error
}

// FeedbackService records how readers use the knowledge base and reports
// where it falls short.
type FeedbackService interface {
	UnansweredRecorder
	RecordVote(ctx context.Context, v *Vote) error
	CountVotes(ctx context.Context, articleID int64) (VoteCounts, error)
	// RecordSearch logs a search; e.ID is set.
	RecordSearch(ctx context.Context, e *SearchLogEntry) error
	// FindContentGaps returns the most frequent questions without a good
	// answer since f.Since, most frequent first.
	FindContentGaps(ctx context.Context, f GapFilter) ([]*ContentGap, error)
	// ContentGapCounts counts how often each of these gaps (by normalised
	// text) was hit in [from, to): searches without hits and unanswered
	// bot questions.
	ContentGapCounts(ctx context.Context, norms []string, from, to time.Time) (map[string]int, error)
	// FindUnhelpfulArticles returns articles by "not helpful" votes since
	// f.Since, most first.
	FindUnhelpfulArticles(ctx context.Context, f GapFilter) ([]*UnhelpfulArticle, error)
	// FindUnansweredQuestions returns the chat questions the bot could not
	// answer since f.Since, newest first, each with its conversation.
	FindUnansweredQuestions(ctx context.Context, f GapFilter) ([]*UnansweredQuestion, error)
	// DraftFromGap turns a content gap (a question, grouped by
	// NormalizeQuery) into the draft a, once: when the gap already has a
	// draft, a becomes that article and created is false. Concurrent
	// calls for one gap create one draft.
	DraftFromGap(ctx context.Context, question string, a *Article) (created bool, err error)
}

// NormalizeQuery folds a question for grouping: lower case, letters and
// digits only, single spaces.
func NormalizeQuery(q string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(q) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		} else {
			space = true
		}
	}
	s := b.String()
	return Truncate(s, 300)
}
