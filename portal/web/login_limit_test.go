package web_test

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
)

// TestSignInLimitHoldsUnderParallelAttempts: 40 guesses at once get at
// most the limit (5) checked; the rest are refused with 429. A right
// password afterwards is refused too, until the window ends; before the
// limit, a right password does not use up an attempt.
func TestSignInLimitHoldsUnderParallelAttempts(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		MustUser(t, s, portal.RoleCustomer, "ada@example.com")
		MustUser(t, s, portal.RoleCustomer, "bob@example.com")
		c := newClient(t, srv)
		c.get("/login")
		attempt := func(email, pw string) int {
			form := url.Values{"email": {email}, "password": {pw}, "_csrf": {c.csrf}}
			req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Cookie", "fd_anon="+c.cookies["fd_anon"])
			res, err := srv.App.Test(req, 30_000)
			if err != nil {
				t.Error(err)
				return 0
			}
			res.Body.Close()
			return res.StatusCode
		}
		// Right passwords do not count as failures.
		for i := 0; i < 6; i++ {
			if got := attempt("bob@example.com", "correct horse"); got != 303 {
				t.Fatalf("sign-in %d of bob: status %d", i+1, got)
			}
		}
		var mu sync.Mutex
		got := map[int]int{}
		var wg sync.WaitGroup
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st := attempt("ada@example.com", "wrong guess")
				mu.Lock()
				got[st]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if got[401] > 5 || got[401]+got[429] != 40 {
			t.Fatalf("40 parallel guesses: %v, want at most 5 checked (401), the rest 429", got)
		}
		if st := attempt("ada@example.com", "correct horse"); st != 429 {
			t.Fatalf("right password past the limit: status %d, want 429", st)
		}
	})
}
