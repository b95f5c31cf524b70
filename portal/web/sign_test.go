package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"sync"
	"testing"
)

// TestSignerMatchesAFreshHMAC: reused hashes sign exactly as a new HMAC
// does, whatever was signed before and from many goroutines at once.
func TestSignerMatchesAFreshHMAC(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	g := newSigner(key)
	want := func(msg string) string {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(msg))
		return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	}
	msgs := []string{"", "csrf|s:abc", "visitor|v-1", strings.Repeat("long|", 400), "flash|x"}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				msg := msgs[i%len(msgs)]
				if got, want := g.sign(msg), want(msg); got != want {
					t.Errorf("sign(%.20q)=%s, want %s", msg, got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	key[0] = 'x' // the signer keeps its own copy of the key
	if got, want := g.sign("visitor|v-1"), want("visitor|v-1"); got == want {
		t.Fatalf("signature follows a change to the caller's key slice")
	}
}
