package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/analytics"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
	"golang.org/x/sync/errgroup"
)

// supportRange reads from, to (inclusive days, YYYY-MM-DD, UTC) and by
// (day or week); the default is the last 28 days by day.
func (s *Server) supportRange(c *fiber.Ctx) (from, to time.Time, weekly bool, err error) {
	y, m, d := s.now().UTC().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	to, from = today.AddDate(0, 0, 1), today.AddDate(0, 0, -27)
	if v := strings.TrimSpace(c.Query("to")); v != "" {
		t, e := time.Parse("2006-01-02", v)
		if e != nil {
			return from, to, false, portal.FieldError("to", "Enter the end date as YYYY-MM-DD.")
		}
		to = t.AddDate(0, 0, 1)
		from = to.AddDate(0, 0, -28)
	}
	if v := strings.TrimSpace(c.Query("from")); v != "" {
		t, e := time.Parse("2006-01-02", v)
		if e != nil {
			return from, to, false, portal.FieldError("from", "Enter the start date as YYYY-MM-DD.")
		}
		from = t
	}
	if !to.After(from) {
		return from, to, false, portal.FieldError("from", "The start date must not be after the end date.")
	}
	if to.Sub(from) > 366*24*time.Hour {
		return from, to, false, portal.FieldError("from", "Choose at most a year.")
	}
	switch c.Query("by") {
	case "", "day":
	case "week":
		weekly = true
	default:
		return from, to, false, portal.FieldError("by", "Group by day or week.")
	}
	return from, to, weekly, nil
}

type supportMetric struct {
	Name, Now, Before, Change string
}

type supportView struct {
	From, To, By string
	PrevFrom     string
	PrevTo       string
	// Metrics are the chat's; CaseMetrics the cases'; HelpMetrics the
	// help centre's (not filtered by agent, team or channel).
	Metrics, CaseMetrics, HelpMetrics []supportMetric
	Buckets                           []supportBucketRow
	Ratings                           []supportRatingRow
	Comments                          []analytics.SupportComment
	Series, Rating                    template.HTML
	CSV                               string
	Weekly                            bool
	Agents                            []*portal.User
	Agent                             int64
	Teams                             []*portal.Team
	Team                              int64
	Channels                          []channelOption
	// Chat is false when the chosen channels leave the chat out.
	Chat bool
	// NoChats and NoCases are set when neither period has any.
	NoChats, NoCases bool
	// Hours names the business hours the times are measured in ("" when
	// none).
	Hours  string
	Gaps   []gapRow
	Target int
	// Preparing says the report's facts are being rebuilt or refreshed
	// ("" when they are ready).
	Preparing string
}

// channelOption is a channel's checkbox on the report's form.
type channelOption struct {
	Value, Label string
	// Phrase names the cases from the channel in the figures.
	Phrase  string
	Checked bool
}

// supportChannels are the channels the report filters by, in form order.
var supportChannels = []channelOption{
	{Value: portal.ChannelChat, Label: "Chat", Phrase: "… left in the chat"},
	{Value: portal.ChannelPortal, Label: "Contact form", Phrase: "… from the contact form"},
	{Value: portal.ChannelEmail, Label: "Email", Phrase: "… by email"},
	{Value: portal.ChannelAPI, Label: "API", Phrase: "… through the API"},
}

// gapRow is a content gap with its count now and in the period before.
type gapRow struct {
	Query                string
	Searches, Unanswered int
	Now, Before          int
	Trend                string
}

type supportBucketRow struct {
	Start                             string
	Conversations, BotOnly, HandedOff int
	Cases                             int
}

type supportRatingRow struct {
	Stars, Count int
}

// supportParams are the report's filters, read alike by the page and the
// CSV download.
type supportParams struct {
	from, to time.Time
	weekly   bool
	agent    int64
	team     int64
	// channels chosen (nil: all); chat tells whether the chat is among them.
	channels []string
	chat     bool
	target   int
}

// filter is the store filter for [from, to).
func (p supportParams) filter(from, to time.Time) portal.SupportFilter {
	return portal.SupportFilter{From: from, To: to, AgentID: p.agent, TeamID: p.team, Channels: p.channels}
}

// supportParamsOf reads and checks the report's query parameters.
func (s *Server) supportParamsOf(c *fiber.Ctx) (p supportParams, err error) {
	if p.from, p.to, p.weekly, err = s.supportRange(c); err != nil {
		return p, err
	}
	if p.agent, err = idParam(c, "agent", "Unknown agent."); err != nil {
		return p, err
	}
	if p.team, err = idParam(c, "team", "Unknown team."); err != nil {
		return p, err
	}
	if p.target, err = targetParam(c); err != nil {
		return p, err
	}
	p.chat = true
	seen := map[string]bool{}
	for _, raw := range c.Context().QueryArgs().PeekMulti("channel") {
		v := strings.TrimSpace(string(raw))
		ok := false
		for _, o := range supportChannels {
			ok = ok || o.Value == v
		}
		if !ok {
			return p, portal.FieldError("channel", "Choose channels among chat, contact form, email and API.")
		}
		if !seen[v] {
			seen[v] = true
			p.channels = append(p.channels, v)
		}
	}
	if len(p.channels) == len(supportChannels) {
		p.channels = nil // all of them: cases from any channel
	}
	if p.channels != nil {
		p.chat = seen[portal.ChannelChat]
	}
	return p, nil
}

// checkTeam fails with a 400 when team is set and not among teams.
func checkTeam(team int64, teams []*portal.Team) error {
	if team == 0 {
		return nil
	}
	for _, t := range teams {
		if t.ID == team {
			return nil
		}
	}
	return portal.FieldError("team", "Unknown team.")
}

// supportItems reads the facts of the chats (when chat is true) and the
// cases created in [from, to) that the filter keeps: the kept facts when
// they may be read (st.Usable: current, or being brought up to date),
// else worked out from the items themselves (while the facts are rebuilt
// on new settings), on the settings in st.
func (s *Server) supportItems(ctx context.Context, st analytics.FactsStatus, f portal.SupportFilter, chat bool) (chats []portal.ChatFact, cases []portal.CaseFact, err error) {
	g, gctx := errgroup.WithContext(ctx)
	if chat {
		g.Go(func() error {
			if st.Usable() {
				var err error
				chats, err = s.store.ChatFacts(gctx, f)
				return err
			}
			rows, err := s.store.ConversationStats(gctx, f)
			hours, _ := analytics.ReportHours(st.SLA, st.Chat)
			for _, r := range rows {
				chats = append(chats, analytics.ChatFactOf(r, hours))
			}
			return err
		})
	}
	g.Go(func() error {
		if st.Usable() {
			var err error
			cases, err = s.store.CaseFacts(gctx, f)
			return err
		}
		rows, err := s.store.CaseStats(gctx, f)
		for _, r := range rows {
			cases = append(cases, analytics.CaseFactOf(r, st.SLA))
		}
		return err
	})
	return chats, cases, g.Wait()
}

// handleSupportReport shows the support figures for a period next to the
// period before it.
func (s *Server) handleSupportReport(c *fiber.Ctx) error {
	p, err := s.supportParamsOf(c)
	if err != nil {
		return err
	}
	from, to, weekly, target := p.from, p.to, p.weekly, p.target
	span := to.Sub(from)
	prevFrom := from.Add(-span)
	ctx := c.UserContext()
	st, err := s.facts.Prepare(ctx)
	if err != nil {
		return err
	}
	// The store's reads are independent: they run at once, each on its
	// own connection.
	var (
		rows                    []portal.ChatFact
		cases                   []portal.CaseFact
		teams                   []*portal.Team
		agents                  []*portal.User
		searchNow, searchBefore portal.SearchStats
		deflNow, deflBefore     portal.DeflectionStats
		gaps                    []*portal.ContentGap
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		rows, cases, err = s.supportItems(gctx, st, p.filter(prevFrom, to), p.chat)
		return err
	})
	g.Go(func() (err error) { teams, err = s.store.FindTeams(gctx); return err })
	g.Go(func() (err error) {
		agents, _, err = s.store.FindUsers(gctx, portal.UserFilter{Roles: []portal.Role{portal.RoleAgent, portal.RoleAdmin}, Limit: 200})
		return err
	})
	g.Go(func() (err error) {
		searchNow, err = s.store.SearchStats(gctx, portal.SupportFilter{From: from, To: to})
		return err
	})
	g.Go(func() (err error) {
		searchBefore, err = s.store.SearchStats(gctx, portal.SupportFilter{From: prevFrom, To: from})
		return err
	})
	g.Go(func() (err error) {
		deflNow, err = s.store.DeflectionStats(gctx, portal.SupportFilter{From: from, To: to}, analytics.BotOnlyWindow)
		return err
	})
	g.Go(func() (err error) {
		deflBefore, err = s.store.DeflectionStats(gctx, portal.SupportFilter{From: prevFrom, To: from}, analytics.BotOnlyWindow)
		return err
	})
	g.Go(func() (err error) {
		gaps, err = s.store.FindContentGaps(gctx, portal.GapFilter{Since: from, Limit: 10})
		return err
	})
	if err := g.Wait(); err != nil {
		return err
	}
	// The same gaps in the period before.
	norms := make([]string, len(gaps))
	for i, g := range gaps {
		norms[i] = g.Normalized
	}
	olderBy, err := s.store.ContentGapCounts(ctx, norms, prevFrom, from)
	if err != nil {
		return err
	}
	if err := checkTeam(p.team, teams); err != nil {
		return err
	}
	bh, hoursName := analytics.ReportHours(st.SLA, st.Chat)
	now := s.now()
	cur := analytics.SummarizeChatFacts(rows, from, to, weekly, time.UTC, bh != nil)
	prev := analytics.SummarizeChatFacts(rows, prevFrom, from, weekly, time.UTC, bh != nil)
	curCases := analytics.SummarizeCaseFacts(cases, from, to, weekly, time.UTC, now)
	prevCases := analytics.SummarizeCaseFacts(cases, prevFrom, from, weekly, time.UTC, now)
	var gapRows []gapRow
	for _, g := range gaps {
		before := olderBy[g.Normalized]
		gapRows = append(gapRows, gapRow{Query: g.Query, Searches: g.Searches, Unanswered: g.Unanswered, Now: g.Total(), Before: before, Trend: change(float64(g.Total()), float64(before), false)})
	}
	v := supportView{From: from.Format("2006-01-02"), To: to.AddDate(0, 0, -1).Format("2006-01-02"), Weekly: weekly, Agents: agents, Agent: p.agent, Gaps: gapRows, Target: target,
		PrevFrom: prevFrom.Format("2 Jan 2006"), PrevTo: from.AddDate(0, 0, -1).Format("2 Jan 2006"), By: "day",
		Teams: teams, Team: p.team, Chat: p.chat, Hours: hoursName,
		NoChats: cur.Conversations == 0 && prev.Conversations == 0, NoCases: curCases.Opened == 0 && prevCases.Opened == 0}
	switch {
	case st.Refreshing:
		v.Preparing = "Many chats and cases changed a moment ago (a refit of the customer analysis moves cases between segments, for one); the figures are being brought up to date and may lag behind those changes for a few minutes."
	case !st.Ready:
		v.Preparing = fmt.Sprintf("The report's figures are being prepared after a change of the business hours or SLA targets (%.0f%% done); until then each page counts every chat and case afresh and may take a while. The figures are the same either way.", 100*st.Progress)
	}
	for _, o := range supportChannels {
		o.Checked = p.channels == nil
		for _, ch := range p.channels {
			o.Checked = o.Checked || ch == o.Value
		}
		v.Channels = append(v.Channels, o)
	}
	if weekly {
		v.By = "week"
	}
	v.CSV = "/reports/support.csv?" + c.Request().URI().QueryArgs().String()
	count := func(name string, a, b int) supportMetric {
		return supportMetric{name, thousands(int64(a)), thousands(int64(b)), change(float64(a), float64(b), false)}
	}
	rate := func(name string, a, an, b, bn int) supportMetric {
		ra, rb := analytics.Rate(a, an), analytics.Rate(b, bn)
		return supportMetric{name, fmt.Sprintf("%.1f%% (%s)", 100*ra, thousands(int64(a))), fmt.Sprintf("%.1f%% (%s)", 100*rb, thousands(int64(b))), change(100*ra, 100*rb, true)}
	}
	// share is a rate that says "–" when nothing was decided.
	share := func(name string, a, an, b, bn int) supportMetric {
		show := func(x, n int) string {
			if n == 0 {
				return "–"
			}
			return fmt.Sprintf("%.1f%% (%s of %s)", 100*analytics.Rate(x, n), thousands(int64(x)), thousands(int64(n)))
		}
		ch := "–"
		if an > 0 && bn > 0 {
			ch = change(100*analytics.Rate(a, an), 100*analytics.Rate(b, bn), true)
		}
		return supportMetric{name, show(a, an), show(b, bn), ch}
	}
	timed := func(format func(time.Duration) string) func(name string, a, b time.Duration, an, bn int) supportMetric {
		return func(name string, a, b time.Duration, an, bn int) supportMetric {
			show := func(d time.Duration, n int) string {
				if n == 0 {
					return "–"
				}
				return format(d)
			}
			ch := "–"
			if an > 0 && bn > 0 {
				ch = change(a.Seconds(), b.Seconds(), false)
			}
			return supportMetric{name, show(a, an), show(b, bn), ch}
		}
	}
	wait := timed(func(d time.Duration) string { return d.Round(time.Second).String() })
	business := timed(func(d time.Duration) string {
		if d == 0 {
			return "0 min"
		}
		return portal.HumanDuration(d)
	})
	csat := func(p analytics.SupportPeriod) string {
		if p.Rated == 0 {
			return "no ratings"
		}
		return fmt.Sprintf("%.2f of 5 (%d ratings)", p.CSAT, p.Rated)
	}
	csatChange := "–"
	if cur.Rated > 0 && prev.Rated > 0 {
		csatChange = fmt.Sprintf("%+.2f", cur.CSAT-prev.CSAT)
	}
	if p.chat {
		v.Metrics = []supportMetric{
			count("Conversations", cur.Conversations, prev.Conversations),
			rate("Answered by the bot alone", cur.BotOnly, cur.Conversations, prev.BotOnly, prev.Conversations),
			rate("Handed to a person", cur.HandedOff, cur.Conversations, prev.HandedOff, prev.Conversations),
			rate("… of them after failed answers", cur.HandoffAfterFailures, cur.HandedOff, prev.HandoffAfterFailures, prev.HandedOff),
			count("Left a message (cases)", cur.Cases, prev.Cases),
			wait("Median wait for a person", cur.WaitMedian, prev.WaitMedian, cur.Waited, prev.Waited),
			wait("Wait for a person, 90th percentile", cur.WaitP90, prev.WaitP90, cur.Waited, prev.Waited),
			rate(withinLabel(target, cur.BusinessHours), cur.WithinTarget(time.Duration(target)*time.Minute), cur.HandedOff,
				prev.WithinTarget(time.Duration(target)*time.Minute), prev.HandedOff),
		}
		if cur.BusinessHours {
			v.Metrics = append(v.Metrics,
				business("Median wait in business hours", cur.BusinessWaitMedian, prev.BusinessWaitMedian, cur.Waited, prev.Waited),
				business("Wait in business hours, 90th percentile", cur.BusinessWaitP90, prev.BusinessWaitP90, cur.Waited, prev.Waited))
		}
		v.Metrics = append(v.Metrics,
			count("Handed off, never answered", cur.Unanswered, prev.Unanswered),
			wait("Median time to close a chat", cur.ResolutionMedian, prev.ResolutionMedian, cur.Resolved, prev.Resolved),
			wait("Time to close a chat, 90th percentile", cur.ResolutionP90, prev.ResolutionP90, cur.Resolved, prev.Resolved))
		if cur.BusinessHours {
			v.Metrics = append(v.Metrics,
				business("Median time to close a chat in business hours", cur.BusinessResolutionMedian, prev.BusinessResolutionMedian, cur.Resolved, prev.Resolved),
				business("Time to close a chat in business hours, 90th percentile", cur.BusinessResolutionP90, prev.BusinessResolutionP90, cur.Resolved, prev.Resolved))
		}
		v.Metrics = append(v.Metrics, supportMetric{"Satisfaction (CSAT)", csat(cur), csat(prev), csatChange})
	}
	v.CaseMetrics = []supportMetric{count("Cases opened", curCases.Opened, prevCases.Opened)}
	if len(p.channels) != 1 {
		for _, o := range v.Channels {
			if o.Checked {
				v.CaseMetrics = append(v.CaseMetrics, count(o.Phrase, curCases.ByChannel[o.Value], prevCases.ByChannel[o.Value]))
			}
		}
	}
	v.CaseMetrics = append(v.CaseMetrics,
		count("Cases answered", curCases.Responded, prevCases.Responded),
		business("Median first response (business hours)", curCases.FirstResponseMedian, prevCases.FirstResponseMedian, curCases.Responded, prevCases.Responded),
		business("First response, 90th percentile (business hours)", curCases.FirstResponseP90, prevCases.FirstResponseP90, curCases.Responded, prevCases.Responded),
		share("First response within the SLA", curCases.FirstResponseMet, curCases.FirstResponseDecided, prevCases.FirstResponseMet, prevCases.FirstResponseDecided),
		share("Next responses within the SLA", curCases.NextResponseMet, curCases.NextResponseDecided, prevCases.NextResponseMet, prevCases.NextResponseDecided),
		count("Cases solved", curCases.Solved, prevCases.Solved),
		business("Median time to solve (business hours)", curCases.ResolutionMedian, prevCases.ResolutionMedian, curCases.Solved, prevCases.Solved),
		business("Time to solve, 90th percentile (business hours)", curCases.ResolutionP90, prevCases.ResolutionP90, curCases.Solved, prevCases.Solved),
		share("Solved within the SLA", curCases.ResolutionMet, curCases.ResolutionDecided, prevCases.ResolutionMet, prevCases.ResolutionDecided),
	)
	v.HelpMetrics = []supportMetric{
		count("Help-centre searches", searchNow.Searches, searchBefore.Searches),
		rate("… with no result", searchNow.NoResult, searchNow.Searches, searchBefore.NoResult, searchBefore.Searches),
		rate("… with results but no article opened", searchNow.NoClick, searchNow.Searches, searchBefore.NoClick, searchBefore.Searches),
		count("Articles opened from a search (signed-in customers)", deflNow.Opened, deflBefore.Opened),
		rate("… not followed by a chat or case within 24 hours", deflNow.Deflected, deflNow.Opened, deflBefore.Deflected, deflBefore.Opened),
	}
	for i, b := range cur.Buckets {
		v.Buckets = append(v.Buckets, supportBucketRow{b.Start.Format("Mon 2 Jan"), b.Conversations, b.BotOnly, b.HandedOff, curCases.Buckets[i].Opened})
	}
	var bars []bar
	for i := 4; i >= 0; i-- {
		v.Ratings = append(v.Ratings, supportRatingRow{i + 1, cur.Ratings[i]})
		bars = append(bars, bar{fmt.Sprintf("%d stars", i+1), float64(cur.Ratings[i]), strconv.Itoa(cur.Ratings[i])})
	}
	v.Rating = barChart("Ratings by stars", bars)
	v.Series = columnChart("Conversations and hand-offs per "+v.By, cur.Buckets)
	v.Comments = cur.Comments
	return s.render(c, fiber.StatusOK, "report_support", "Support report", v)
}

// handleSupportReportCSV downloads the period's figures per day or week,
// with the page's filters.
func (s *Server) handleSupportReportCSV(c *fiber.Ctx) error {
	p, err := s.supportParamsOf(c)
	if err != nil {
		return err
	}
	from, to, weekly := p.from, p.to, p.weekly
	st, err := s.facts.Prepare(c.UserContext())
	if err != nil {
		return err
	}
	var (
		rows  []portal.ChatFact
		cases []portal.CaseFact
		teams []*portal.Team
	)
	g, gctx := errgroup.WithContext(c.UserContext())
	g.Go(func() (err error) {
		rows, cases, err = s.supportItems(gctx, st, p.filter(from, to), p.chat)
		return err
	})
	g.Go(func() (err error) { teams, err = s.store.FindTeams(gctx); return err })
	if err := g.Wait(); err != nil {
		return err
	}
	if err := checkTeam(p.team, teams); err != nil {
		return err
	}
	chats := analytics.SummarizeChatFacts(rows, from, to, weekly, time.UTC, false)
	cs := analytics.SummarizeCaseFacts(cases, from, to, weekly, time.UTC, s.now())
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename="support-%s-%s.csv"`, from.Format("20060102"), to.AddDate(0, 0, -1).Format("20060102")))
	c.Set(fiber.HeaderCacheControl, "no-store")
	w := csv.NewWriter(c.Response().BodyWriter())
	w.Write([]string{"start", "conversations", "bot_only", "handed_off", "cases_opened",
		"first_response_median_business_minutes", "first_response_sla_met", "first_response_sla_breached",
		"resolution_median_business_minutes", "resolution_sla_met", "resolution_sla_breached",
		"next_response_sla_met", "next_response_sla_breached"})
	minutes := func(d time.Duration, n int) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatFloat(d.Minutes(), 'f', 1, 64)
	}
	for i, b := range chats.Buckets {
		k := cs.Buckets[i]
		rec := []string{b.Start.Format("2006-01-02"), strconv.Itoa(b.Conversations), strconv.Itoa(b.BotOnly), strconv.Itoa(b.HandedOff)}
		if !p.chat {
			rec = []string{b.Start.Format("2006-01-02"), "", "", ""} // chat not chosen: not measured
		}
		rec = append(rec, strconv.Itoa(k.Opened),
			minutes(k.FirstResponseMedian, k.Responded), strconv.Itoa(k.FirstResponseMet), strconv.Itoa(k.FirstResponseBreached),
			minutes(k.ResolutionMedian, k.Solved), strconv.Itoa(k.ResolutionMet), strconv.Itoa(k.ResolutionBreached),
			strconv.Itoa(k.NextResponseMet), strconv.Itoa(k.NextResponseBreached))
		w.Write(rec)
	}
	w.Flush()
	return w.Error()
}

// withinLabel names the hand-offs-answered-in-time figure, saying whether
// its minutes are business minutes.
func withinLabel(target int, business bool) string {
	if business {
		return fmt.Sprintf("Hand-offs answered within %d business minutes (target)", target)
	}
	return fmt.Sprintf("Hand-offs answered within %d minutes (target)", target)
}

// targetParam reads ?target=, the minutes within which a hand-off should
// get a person's answer; default 5.
func targetParam(c *fiber.Ctx) (int, error) {
	v := strings.TrimSpace(c.Query("target"))
	if v == "" {
		return 5, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 24*60 {
		return 0, portal.FieldError("target", "Enter the target in minutes, from 1 to 1440.")
	}
	return n, nil
}

// idParam reads a positive id from the query parameter name; 0 when it is
// empty (everyone), a 400 with msg when it is not an id.
func idParam(c *fiber.Ctx, name, msg string) (int64, error) {
	v := strings.TrimSpace(c.Query(name))
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, portal.FieldError(name, msg)
	}
	return id, nil
}

// change is the relative change from b to a, or the difference in points
// for rates.
func change(a, b float64, points bool) string {
	if points {
		return fmt.Sprintf("%+.1f pts", a-b)
	}
	if b == 0 {
		if a == 0 {
			return "0%"
		}
		return "new"
	}
	return fmt.Sprintf("%+.0f%%", 100*(a-b)/b)
}

// columnChart draws one column per bucket: all conversations, with the
// handed-off part darker at the bottom.
func columnChart(title string, bs []analytics.SupportBucket) template.HTML {
	const width, height, left, bottom = 360.0, 160.0, 28.0, 22.0
	maxV := 1
	for _, b := range bs {
		maxV = max(maxV, b.Conversations)
	}
	n := max(len(bs), 1)
	colW := (width - left - 4) / float64(n)
	plotH := height - bottom - 8
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %g %g" role="img" aria-label="%s">`, width, height+18, html.EscapeString(title))
	fmt.Fprintf(&sb, `<text x="%g" y="%g" class="label">%d</text><text x="%g" y="%g" class="label">0</text>`, left-4, 14.0, maxV, left-4, 8+plotH)
	for i, b := range bs {
		x := left + colW*float64(i)
		h := plotH * float64(b.Conversations) / float64(maxV)
		hh := plotH * float64(b.HandedOff) / float64(maxV)
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="col"><title>%s: %d conversations, %d handed off</title></rect>`,
			x+1, 8+plotH-h, math.Max(colW-2, 1), h, b.Start.Format("2 Jan"), b.Conversations, b.HandedOff)
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="bar"></rect>`, x+1, 8+plotH-hh, math.Max(colW-2, 1), hh)
	}
	if len(bs) > 0 {
		fmt.Fprintf(&sb, `<text x="%g" y="%g" class="value">%s</text>`, left, height-4, bs[0].Start.Format("2 Jan"))
		fmt.Fprintf(&sb, `<text x="%g" y="%g" class="label">%s</text>`, width-2, height-4, bs[len(bs)-1].Start.Format("2 Jan"))
	}
	fmt.Fprintf(&sb, `<rect x="%g" y="%g" width="10" height="10" class="col"></rect><text x="%g" y="%g" class="value">all conversations</text>`, left, height+4, left+14, height+13)
	fmt.Fprintf(&sb, `<rect x="%g" y="%g" width="10" height="10" class="bar"></rect><text x="%g" y="%g" class="value">handed to a person</text>`, left+140, height+4, left+154, height+13)
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// handleSupportFactsStatus tells (as JSON) whether the support report's
// facts are ready, and a rebuild's progress; it starts a rebuild when the
// settings changed.
func (s *Server) handleSupportFactsStatus(c *fiber.Ctx) error {
	st, err := s.facts.Prepare(c.UserContext())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"ready": st.Ready, "building": st.Building, "refreshing": st.Refreshing, "progress": st.Progress})
}
