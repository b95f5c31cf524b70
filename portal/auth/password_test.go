package auth_test

import (
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/portal/auth"
)

func TestPasswordRoundTrip(t *testing.T) {
	h, err := auth.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash format %q", h)
	}
	tests := []struct {
		name string
		hash string
		pw   string
		want bool
	}{
		{"RightPassword", h, "correct horse battery", true},
		{"WrongPassword", h, "correct horse batterx", false},
		{"Empty", h, "", false},
		{"GarbageHash", "$argon2id$nope", "x", false},
		{"OtherAlgorithm", strings.Replace(h, "argon2id", "argon2i", 1), "correct horse battery", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := auth.CheckPassword(tt.hash, tt.pw); got != tt.want {
				t.Fatalf("CheckPassword=%v, want %v", got, tt.want)
			}
		})
	}
}

func TestValidatePassword(t *testing.T) {
	if err := auth.ValidatePassword("short"); err == nil {
		t.Fatal("short password accepted")
	}
	if err := auth.ValidatePassword("long enough pw"); err != nil {
		t.Fatal(err)
	}
}

func TestTokensAreUniqueAndHashed(t *testing.T) {
	a, b := auth.NewToken(), auth.NewToken()
	if a == b || len(a) != 43 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if auth.HashToken(a) == a || len(auth.HashToken(a)) != 64 {
		t.Fatal("token hash")
	}
}
