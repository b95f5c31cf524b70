package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

func testSignups(t *testing.T, open Opener) {
	c := newClock()
	s := open(t, c.Now)
	pending := func(tok, email string, ttl time.Duration) {
		t.Helper()
		if err := s.CreatePendingSignup(ctx(), &portal.PendingSignup{TokenHash: tok, Email: email, Name: "Nina", PasswordHash: "hash", TimeZone: "Europe/Paris", CreatedAt: c.t, ExpiresAt: c.t.Add(ttl)}); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("ConfirmCreatesCustomerOnce", func(t *testing.T) {
		pending("tok", " Nina@Example.com", time.Hour)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var made []*portal.User
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u, err := s.ConfirmSignup(ctx(), "tok", c.t)
				if err == nil {
					mu.Lock()
					made = append(made, u)
					mu.Unlock()
				} else if portal.ErrorCode(err) != portal.EINVALID {
					t.Errorf("confirm: %v", err)
				}
			}()
		}
		wg.Wait()
		if len(made) != 1 {
			t.Fatalf("%d confirmations worked, want 1", len(made))
		}
		got, err := s.FindUserByEmail(ctx(), "nina@example.com")
		if err != nil || got.ID != made[0].ID || got.Name != "Nina" || got.PasswordHash != "hash" || got.Role != portal.RoleCustomer || got.TimeZone != "Europe/Paris" {
			t.Fatalf("user %+v, %v", got, err)
		}
	})
	t.Run("ExpiredAndUnknownRejected", func(t *testing.T) {
		pending("old", "late@example.com", time.Minute)
		_, err := s.ConfirmSignup(ctx(), "old", c.t.Add(time.Hour))
		wantCode(t, err, portal.EINVALID)
		_, err = s.ConfirmSignup(ctx(), "never-issued", c.t)
		wantCode(t, err, portal.EINVALID)
		if _, err := s.FindUserByEmail(ctx(), "late@example.com"); !portal.IsNotFound(err) {
			t.Fatalf("expired sign-up made a user: %v", err)
		}
	})
	t.Run("OneConfirmationEndsTheOthers", func(t *testing.T) {
		pending("first", "twice@example.com", time.Hour)
		pending("second", "twice@example.com", time.Hour)
		if _, err := s.ConfirmSignup(ctx(), "second", c.t); err != nil {
			t.Fatal(err)
		}
		_, err := s.ConfirmSignup(ctx(), "first", c.t)
		wantCode(t, err, portal.EINVALID)
	})
	t.Run("ExpiredAndUsedDeleted", func(t *testing.T) {
		pending("keep", "keep@example.com", 48*time.Hour)
		// Gone: "old" (expired), "tok", "first", "second" (used). Kept:
		// "keep", and "late" created below is not there yet.
		n, err := s.DeleteExpiredSignups(ctx(), c.t.Add(time.Hour))
		if err != nil || n != 4 {
			t.Fatalf("deleted %d, %v; want 4", n, err)
		}
		if _, err := s.ConfirmSignup(ctx(), "keep", c.t.Add(time.Hour)); err != nil {
			t.Fatalf("a live sign-up was deleted: %v", err)
		}
	})
	t.Run("TakenMeanwhileRejected", func(t *testing.T) {
		pending("late", "meanwhile@example.com", time.Hour)
		MustCreateUser(t, s, portal.RoleCustomer, "meanwhile@example.com")
		_, err := s.ConfirmSignup(ctx(), "late", c.t)
		wantCode(t, err, portal.EINVALID)
	})
}
