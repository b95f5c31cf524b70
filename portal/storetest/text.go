package storetest

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/portal"
)

// testTextLimits: text cut to a column's limit is cut between characters,
// never inside one (PostgreSQL refuses the broken UTF-8 a byte cut leaves):
// a first message with "€" across byte 200, a User-Agent of 299 "M" and an
// "é", a long rating comment and audit detail in accented text.
func testTextLimits(t *testing.T, open Opener) {
	s := open(t, newClock().Now)
	ada := MustCreateUser(t, s, portal.RoleCustomer, "ada@example.com")

	conv := &portal.Conversation{VisitorID: "v-utf8", Subject: strings.Repeat("a", 199) + "€ and more"}
	if err := s.CreateConversation(ctx(), conv); err != nil {
		t.Fatalf("conversation with € across byte 200: %v", err)
	}
	if got, want := conv.Subject, strings.Repeat("a", 199); got != want || !utf8.ValidString(got) {
		t.Fatalf("subject=%q, want %q", got, want)
	}

	now := newClock().Now()
	sess := &portal.Session{ID: "utf8-session", UserID: ada.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour),
		UserAgent: strings.Repeat("M", 299) + "é", IP: "203.0.113.9"}
	if err := s.CreateSession(ctx(), sess); err != nil {
		t.Fatalf("session with a User-Agent of 299 M and é: %v", err)
	}
	got, err := s.FindSession(ctx(), sess.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if got.UserAgent != strings.Repeat("M", 299) {
		t.Fatalf("user agent=%q", got.UserAgent)
	}

	comment := strings.Repeat("é", 1500) // 3,000 bytes
	c2, err := s.UpdateConversation(ctx(), conv.ID, portal.ConversationUpdate{Rating: ptr(4), RatingComment: &comment})
	if err != nil {
		t.Fatalf("rating comment of 1,500 é: %v", err)
	}
	if !utf8.ValidString(c2.RatingComment) || len(c2.RatingComment) > 2000 {
		t.Fatalf("rating comment of %d bytes, valid %v", len(c2.RatingComment), utf8.ValidString(c2.RatingComment))
	}

	e := &portal.AuditEntry{ActorID: ada.ID, ActorEmail: ada.Email, Action: "test", Entity: "user", Detail: strings.Repeat("ü", 1200), IP: "203.0.113.9", At: now}
	if err := s.RecordAudit(ctx(), e); err != nil {
		t.Fatalf("audit detail of 1,200 ü: %v", err)
	}
	if err := s.RecordSearch(ctx(), &portal.SearchLogEntry{Query: strings.Repeat("ß", 300)}); err != nil {
		t.Fatalf("search log of 300 ß: %v", err)
	}
}
