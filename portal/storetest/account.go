package storetest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

func testUsers(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	u := &portal.User{Email: "  Ada@Example.COM ", Name: "Ada", Role: portal.RoleCustomer, PasswordHash: "h", TimeZone: "Europe/Berlin"}
	if err := s.CreateUser(ctx(), u); err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.Email != "ada@example.com" {
		t.Fatalf("created user id=%d email=%q", u.ID, u.Email)
	}
	t.Run("FoundByEmailCaseInsensitive", func(t *testing.T) {
		got, err := s.FindUserByEmail(ctx(), "ADA@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != u.ID || got.TimeZone != "Europe/Berlin" || !got.CreatedAt.Equal(c.t.Truncate(time.Microsecond)) {
			t.Fatalf("got %+v", got)
		}
		if got.CreatedAt.Location() != time.UTC {
			t.Fatalf("created_at location=%v, want UTC", got.CreatedAt.Location())
		}
	})
	t.Run("DuplicateEmailConflicts", func(t *testing.T) {
		err := s.CreateUser(ctx(), &portal.User{Email: "ada@example.com", Role: portal.RoleCustomer})
		wantCode(t, err, portal.EINVALID)
	})
	t.Run("InvalidRejected", func(t *testing.T) {
		wantCode(t, s.CreateUser(ctx(), &portal.User{Email: "nope", Role: portal.RoleCustomer}), portal.EINVALID)
		wantCode(t, s.CreateUser(ctx(), &portal.User{Email: "x@example.com", Role: "boss"}), portal.EINVALID)
	})
	t.Run("UnknownIsNotFound", func(t *testing.T) {
		_, err := s.FindUserByID(ctx(), 999999)
		wantCode(t, err, portal.ENOTFOUND)
		_, err = s.FindUserByEmail(ctx(), "ghost@example.com")
		wantCode(t, err, portal.ENOTFOUND)
		wantCode(t, s.SetPasswordHash(ctx(), 999999, "h"), portal.ENOTFOUND)
	})
	t.Run("UpdateAndDisable", func(t *testing.T) {
		c.t = c.t.Add(time.Hour)
		got, err := s.UpdateUser(ctx(), u.ID, portal.UserUpdate{Name: ptr("Ada L."), Disabled: ptr(true)})
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Ada L." || got.DisabledAt == nil || !got.DisabledAt.Equal(c.t.Truncate(time.Microsecond)) {
			t.Fatalf("got %+v", got)
		}
		got, _ = s.FindUserByID(ctx(), u.ID)
		if got.DisabledAt == nil {
			t.Fatal("disabled_at not stored")
		}
		got, err = s.UpdateUser(ctx(), u.ID, portal.UserUpdate{Disabled: ptr(false)})
		if err != nil || got.DisabledAt != nil {
			t.Fatalf("re-enable: %+v %v", got, err)
		}
		_, err = s.UpdateUser(ctx(), u.ID, portal.UserUpdate{TimeZone: ptr("Mars/Olympus")})
		wantCode(t, err, portal.EINVALID)
	})
	t.Run("FilterAndPage", func(t *testing.T) {
		for i := 0; i < 5; i++ {
			MustCreateUser(t, s, portal.RoleAgent, fmt.Sprintf("agent%d@example.com", i))
		}
		got, total, err := s.FindUsers(ctx(), portal.UserFilter{Roles: []portal.Role{portal.RoleAgent}, Limit: 2, Offset: 1})
		if err != nil {
			t.Fatal(err)
		}
		if total != 5 || len(got) != 2 || got[0].Email != "agent3@example.com" {
			t.Fatalf("total=%d len=%d first=%v", total, len(got), got)
		}
		got, total, _ = s.FindUsers(ctx(), portal.UserFilter{Query: "AGENT4"})
		if total != 1 || got[0].Email != "agent4@example.com" {
			t.Fatalf("query: total=%d", total)
		}
		_, total, _ = s.FindUsers(ctx(), portal.UserFilter{Query: "%"})
		if total != 0 {
			t.Fatalf("LIKE wildcard not escaped: total=%d", total)
		}
	})
}

func testSessions(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	u := MustCreateUser(t, s, portal.RoleCustomer, "s@example.com")
	mk := func(id string, ttl time.Duration) {
		if err := s.CreateSession(ctx(), &portal.Session{ID: id, UserID: u.ID, CreatedAt: c.t, LastSeenAt: c.t, ExpiresAt: c.t.Add(ttl), IP: "127.0.0.1"}); err != nil {
			t.Fatal(err)
		}
	}
	mk("a", time.Hour)
	mk("b", time.Hour)
	mk("short", time.Minute)
	t.Run("Found", func(t *testing.T) {
		got, err := s.FindSession(ctx(), "a", c.t)
		if err != nil || got.UserID != u.ID {
			t.Fatalf("got %+v, %v", got, err)
		}
	})
	t.Run("FoundWithItsUser", func(t *testing.T) {
		got, gu, err := s.FindSessionUser(ctx(), "a", c.t)
		if err != nil || got.ID != "a" || got.UserID != u.ID || got.IP != "127.0.0.1" || !got.ExpiresAt.Equal(c.t.Add(time.Hour)) {
			t.Fatalf("got %+v, %v", got, err)
		}
		if gu.ID != u.ID || gu.Email != u.Email || gu.Role != u.Role || gu.PasswordHash != u.PasswordHash || gu.DisabledAt != nil {
			t.Fatalf("user %+v, want %+v", gu, u)
		}
		if _, _, err := s.FindSessionUser(ctx(), "short", c.t.Add(2*time.Minute)); portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Fatalf("expired session with its user: %v, want ENOTFOUND", err)
		}
		if _, _, err := s.FindSessionUser(ctx(), "nope", c.t); portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Fatalf("unknown session with its user: %v, want ENOTFOUND", err)
		}
	})
	t.Run("ExpiredIsNotFound", func(t *testing.T) {
		_, err := s.FindSession(ctx(), "short", c.t.Add(2*time.Minute))
		wantCode(t, err, portal.ENOTFOUND)
		n, err := s.DeleteExpiredSessions(ctx(), c.t.Add(2*time.Minute))
		if err != nil || n != 1 {
			t.Fatalf("deleted %d, %v", n, err)
		}
	})
	t.Run("TouchExtends", func(t *testing.T) {
		if err := s.TouchSession(ctx(), "a", c.t.Add(50*time.Minute), c.t.Add(3*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.FindSession(ctx(), "a", c.t.Add(2*time.Hour)); err != nil {
			t.Fatalf("touched session gone: %v", err)
		}
	})
	count := func(at time.Time) int {
		t.Helper()
		n, err := s.CountUserSessions(ctx(), u.ID, at)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	t.Run("SignOutEverywhereElse", func(t *testing.T) {
		if got, want := count(c.t), 2; got != want {
			t.Fatalf("sessions = %d, want %d", got, want)
		}
		if got, want := count(c.t.Add(4*time.Hour)), 0; got != want {
			t.Fatalf("sessions after they expired = %d, want %d", got, want)
		}
		if err := s.DeleteUserSessions(ctx(), u.ID, "a"); err != nil {
			t.Fatal(err)
		}
		if got, want := count(c.t), 1; got != want {
			t.Fatalf("sessions left = %d, want %d", got, want)
		}
		if _, err := s.FindSession(ctx(), "b", c.t); portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Fatalf("b survived: %v", err)
		}
		if _, err := s.FindSession(ctx(), "a", c.t); err != nil {
			t.Fatalf("kept session gone: %v", err)
		}
		s.DeleteSession(ctx(), "a")
		if _, err := s.FindSession(ctx(), "a", c.t); portal.ErrorCode(err) != portal.ENOTFOUND {
			t.Fatalf("a survived delete: %v", err)
		}
		if got := count(c.t); got != 0 {
			t.Fatalf("sessions after signing out everywhere = %d, want 0", got)
		}
	})
}

func testPasswordResets(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	u := MustCreateUser(t, s, portal.RoleCustomer, "r@example.com")
	s.CreatePasswordReset(ctx(), &portal.PasswordReset{TokenHash: "tok", UserID: u.ID, CreatedAt: c.t, ExpiresAt: c.t.Add(time.Hour)})
	s.CreatePasswordReset(ctx(), &portal.PasswordReset{TokenHash: "old", UserID: u.ID, CreatedAt: c.t, ExpiresAt: c.t.Add(time.Minute)})
	t.Run("ExpiredRejected", func(t *testing.T) {
		_, err := s.ConsumePasswordReset(ctx(), "old", c.t.Add(time.Hour))
		wantCode(t, err, portal.EINVALID)
	})
	t.Run("OneResetEndsTheOthers", func(t *testing.T) {
		v := MustCreateUser(t, s, portal.RoleCustomer, "two-links@example.com")
		for _, tok := range []string{"first", "second"} {
			if err := s.CreatePasswordReset(ctx(), &portal.PasswordReset{TokenHash: tok, UserID: v.ID, CreatedAt: c.t, ExpiresAt: c.t.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.ConsumePasswordReset(ctx(), "second", c.t); err != nil {
			t.Fatal(err)
		}
		_, err := s.ConsumePasswordReset(ctx(), "first", c.t)
		wantCode(t, err, portal.EINVALID)
	})
	t.Run("WorksOnceUnderRace", func(t *testing.T) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id, err := s.ConsumePasswordReset(ctx(), "tok", c.t)
				if err == nil && id == u.ID {
					mu.Lock()
					wins++
					mu.Unlock()
				} else if portal.ErrorCode(err) != portal.EINVALID {
					t.Errorf("consume: %v", err)
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("token used %d times, want 1", wins)
		}
	})
}

func testOutbox(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	for i := 0; i < 3; i++ {
		if err := s.EnqueueEmail(ctx(), &portal.Email{To: fmt.Sprintf("u%d@example.com", i), Subject: "Hi", Body: "Hello"}); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, s.EnqueueEmail(ctx(), &portal.Email{To: "bad", Subject: "x"}), portal.EINVALID)
	wantCode(t, s.EnqueueEmail(ctx(), &portal.Email{To: "a@example.com", Subject: "x\r\nBcc: evil@example.com"}), portal.EINVALID)
	t.Run("ClaimedOnceConcurrently", func(t *testing.T) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		seen := map[int64]int{}
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				es, err := s.ClaimEmails(ctx(), c.t, time.Minute, 10)
				if err != nil {
					t.Errorf("claim: %v", err)
					return
				}
				mu.Lock()
				for _, e := range es {
					seen[e.ID]++
				}
				mu.Unlock()
			}()
		}
		wg.Wait()
		if len(seen) != 3 {
			t.Fatalf("claimed %d distinct emails, want 3", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("email %d claimed %d times", id, n)
			}
		}
	})
	t.Run("FailedRetriesLaterSentStays", func(t *testing.T) {
		es, _ := s.FindEmails(ctx(), "", 10)
		if len(es) != 3 {
			t.Fatalf("find: %d", len(es))
		}
		s.MarkEmailSent(ctx(), es[0].ID, c.t)
		s.MarkEmailFailed(ctx(), es[1].ID, "smtp down", c.t.Add(10*time.Minute))
		got, _ := s.ClaimEmails(ctx(), c.t.Add(2*time.Minute), time.Minute, 10)
		if len(got) != 1 || got[0].ID != es[2].ID {
			t.Fatalf("after lease expiry claimed %v, want only %d", got, es[2].ID)
		}
		got, _ = s.ClaimEmails(ctx(), c.t.Add(11*time.Minute), time.Minute, 10)
		if len(got) != 2 {
			t.Fatalf("after retry time claimed %d, want 2", len(got))
		}
		for _, e := range got {
			if e.ID == es[1].ID && (e.Attempts != 2 || e.LastError != "smtp down") {
				t.Fatalf("retried email: %+v", e)
			}
		}
		mine, _ := s.FindEmails(ctx(), "U0@example.com", 10)
		if len(mine) != 1 {
			t.Fatalf("by address: %d", len(mine))
		}
	})
	t.Run("ThreadingHeadersKept", func(t *testing.T) {
		in := &portal.Email{To: "ada@example.com", Subject: "Re: C-000001", Body: "x", From: "Support <support+tok@shop.example>",
			MessageID: "r1@shop.example", InReplyTo: "ada-1@mail.example", References: []string{"ack@shop.example", "ada-1@mail.example"}}
		if err := s.EnqueueEmail(ctx(), in); err != nil {
			t.Fatal(err)
		}
		got, _ := s.FindEmails(ctx(), "ada@example.com", 1)
		if len(got) != 1 || got[0].From != in.From || got[0].MessageID != in.MessageID || got[0].InReplyTo != in.InReplyTo ||
			strings.Join(got[0].References, " ") != "ack@shop.example ada-1@mail.example" {
			t.Fatalf("stored %+v, want the threading headers of %+v", got, in)
		}
		wantCode(t, s.EnqueueEmail(ctx(), &portal.Email{To: "a@example.com", Subject: "x", MessageID: "<a@b>"}), portal.EINVALID)
		wantCode(t, s.EnqueueEmail(ctx(), &portal.Email{To: "a@example.com", Subject: "x", From: "not an address"}), portal.EINVALID)
	})
	t.Run("AttachmentsKept", func(t *testing.T) {
		files := []portal.OutgoingFile{{Filename: "label.pdf", ContentType: "application/pdf", Size: 1234, StorageKey: strings.Repeat("ab", 32)},
			{Filename: "Ünïcode photo.png", ContentType: "image/png", Size: 5, StorageKey: strings.Repeat("cd", 32)}}
		if err := s.EnqueueEmail(ctx(), &portal.Email{To: "files@example.com", Subject: "Re: x", Body: "x", Attachments: files}); err != nil {
			t.Fatal(err)
		}
		got, _ := s.FindEmails(ctx(), "files@example.com", 1)
		if len(got) != 1 || len(got[0].Attachments) != 2 || got[0].Attachments[0] != files[0] || got[0].Attachments[1] != files[1] {
			t.Fatalf("stored %+v, want the files %+v", got, files)
		}
		claimed, _ := s.ClaimEmails(ctx(), c.t.Add(time.Hour), time.Minute, 100)
		for _, e := range claimed {
			if e.To == "files@example.com" && len(e.Attachments) != 2 {
				t.Fatalf("claimed without its files: %+v", e)
			}
		}
	})
}

func testAudit(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	for i := 0; i < 3; i++ {
		if err := s.RecordAudit(ctx(), &portal.AuditEntry{ActorID: int64(i % 2), ActorEmail: "a@example.com", Action: "user.create", Entity: "user", EntityID: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	got, total, err := s.FindAudit(ctx(), portal.AuditFilter{ActorID: ptr(int64(0))})
	if err != nil || total != 2 || got[0].EntityID != "2" || !got[0].At.Equal(c.t.Truncate(time.Microsecond)) {
		t.Fatalf("got %v total=%d err=%v", got, total, err)
	}
}

func testRateLimits(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	now := time.Date(2026, 3, 1, 9, 30, 10, 0, time.UTC)
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := s.HitRate(ctx(), "login:ip:1", time.Minute, now); err != nil {
				t.Errorf("hit: %v", err)
			}
		}()
	}
	wg.Wait()
	n, end, err := s.RateCount(ctx(), "login:ip:1", time.Minute, now)
	if err != nil || n != 10 || !end.Equal(time.Date(2026, 3, 1, 9, 31, 0, 0, time.UTC)) {
		t.Fatalf("count=%d end=%v err=%v, want 10 at 9:31", n, end, err)
	}
	if err := s.UndoRate(ctx(), "login:ip:1", time.Minute, now); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := s.RateCount(ctx(), "login:ip:1", time.Minute, now); n != 9 {
		t.Fatalf("count after undo=%d, want 9", n)
	}
	if n, _, _ := s.RateCount(ctx(), "login:ip:1", time.Minute, now.Add(time.Minute)); n != 0 {
		t.Fatalf("next window count=%d, want 0", n)
	}
	if n, _, _ := s.RateCount(ctx(), "login:ip:2", time.Minute, now); n != 0 {
		t.Fatalf("other key count=%d", n)
	}
	if err := s.DeleteOldRates(ctx(), now.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := s.HitRate(ctx(), "login:ip:1", time.Minute, now); n != 1 {
		t.Fatalf("after cleanup count=%d, want 1", n)
	}
}
