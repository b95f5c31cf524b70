package web

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/search"
	"github.com/gofiber/fiber/v2"
)

// thresholdWindow is how far back the questions the threshold page replays
// go, and thresholdQuestions how many of them it replays at most.
const (
	thresholdWindow    = 30 * 24 * time.Hour
	thresholdQuestions = 200
	thresholdExamples  = 8
)

// thresholdExample is one replayed question: what the bot would do with it.
type thresholdExample struct {
	Question   string
	Source     string
	Article    string
	Confidence float64
}

// thresholdPage is the editor's hand-off threshold page.
type thresholdPage struct {
	Locale                   string
	Current, Fitted, Preview float64
	Chosen                   bool
	// The three values as percentages, for people.
	CurrentPct, FittedPct, PreviewPct string
	Asked, Answered, Handoff          int
	AnsweredEx, HandoffEx             []thresholdExample
}

// parseThreshold reads a threshold typed as a share (0.35) or a percentage
// (35 or 35%).
func parseThreshold(v string) (float64, error) {
	v = strings.TrimSpace(v)
	pct := strings.HasSuffix(v, "%")
	t, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(v, "%")), 64)
	if err != nil || math.IsNaN(t) || math.IsInf(t, 0) {
		return 0, portal.FieldError("threshold", "Give the threshold as a number from 0 to 1, or a percentage.")
	}
	if pct || t > 1 {
		t /= 100
	}
	if t < 0 || t > 1 {
		return 0, portal.FieldError("threshold", "The threshold lies between 0 and 1 (0% and 100%).")
	}
	return t, nil
}

// handleEditorThreshold shows the bot's hand-off threshold and what it
// would have done, at the value in ?threshold= (default the current one),
// with the questions customers asked lately.
func (s *Server) handleEditorThreshold(c *fiber.Ctx) error {
	locale := localeOf(c)
	p := thresholdPage{Locale: locale}
	p.Current, p.Fitted, p.Chosen = s.kb.Threshold(locale)
	p.Preview = p.Current
	if v := c.Query("threshold"); v != "" {
		t, err := parseThreshold(v)
		if err != nil {
			return err
		}
		p.Preview = t
	}
	ctx := c.UserContext()
	qs, err := s.store.RecentQuestions(ctx, locale, portal.GapFilter{Since: s.now().Add(-thresholdWindow), Limit: thresholdQuestions})
	if err != nil {
		return err
	}
	for _, q := range qs {
		r, err := s.kb.Retrieve(ctx, search.Question{Text: q.Text, Locale: locale, Limit: 1})
		if err != nil {
			return err
		}
		ex := thresholdExample{Question: q.Text, Source: q.Source, Confidence: r.Confidence}
		if m, ok := r.Best(); ok {
			ex.Article = m.Title
		}
		p.Asked++
		if ok := len(r.Matches) > 0 && r.Confidence >= p.Preview; ok {
			p.Answered++
			p.AnsweredEx = append(p.AnsweredEx, ex)
		} else {
			p.Handoff++
			p.HandoffEx = append(p.HandoffEx, ex)
		}
	}
	// The examples that show what the value decides: those closest to it.
	near := func(xs []thresholdExample) []thresholdExample {
		sort.SliceStable(xs, func(i, j int) bool {
			return math.Abs(xs[i].Confidence-p.Preview) < math.Abs(xs[j].Confidence-p.Preview)
		})
		return xs[:min(len(xs), thresholdExamples)]
	}
	p.AnsweredEx, p.HandoffEx = near(p.AnsweredEx), near(p.HandoffEx)
	pct := func(f float64) string { return strconv.FormatFloat(100*f, 'f', -1, 64) + "%" }
	p.CurrentPct, p.FittedPct, p.PreviewPct = pct(round2(p.Current)), pct(round2(p.Fitted)), pct(round2(p.Preview))
	return s.render(c, fiber.StatusOK, "editor_threshold", "When the bot answers", p)
}

// handleEditorThresholdSave stores the threshold of a locale, or removes it
// ("Reset to the fitted value"), and applies it on this node at once; the
// other nodes apply it when they next follow the store.
func (s *Server) handleEditorThresholdSave(c *fiber.Ctx) error {
	locale := localeOf(c)
	ctx := c.UserContext()
	var detail, msg string
	if c.FormValue("action") == "reset" {
		if err := s.store.ResetKBThreshold(ctx, locale); err != nil {
			return err
		}
		detail, msg = "reset to the fitted value", "The bot uses the fitted threshold again."
	} else {
		t, err := parseThreshold(c.FormValue("threshold"))
		if err != nil {
			return err
		}
		if err := s.store.SetKBThreshold(ctx, &portal.KBThreshold{Locale: locale, Threshold: t, UpdatedBy: userID(c)}); err != nil {
			return err
		}
		detail = fmt.Sprintf("set to %.2f", t)
		msg = fmt.Sprintf("The bot now answers at a confidence of %.0f%% or more.", 100*t)
	}
	if err := s.kb.ApplyThresholds(ctx); err != nil {
		return err
	}
	s.audit(c, "kb.threshold", "kb", locale, detail)
	s.setFlash(c, "ok", msg)
	return c.Redirect("/editor/threshold?locale="+locale, fiber.StatusSeeOther)
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
