package web

import (
	"testing"

	"github.com/frontdesk/frontdesk/portal"
)

func TestNavMarksOnlyTheMostSpecificPage(t *testing.T) {
	tests := []struct{ path, want string }{
		{"/account/quotes/Q-1", "/account/quotes"},
		{"/account", "/account"},
		{"/account/orders/NW-1", "/account"},
		{"/nowhere", ""},
	}
	for _, tt := range tests {
		var current []string
		for _, it := range navFor(&portal.User{Role: portal.RoleCustomer}, tt.path) {
			if it.Current {
				current = append(current, it.Href)
			}
		}
		if got := current; (tt.want == "" && len(got) != 0) || (tt.want != "" && (len(got) != 1 || got[0] != tt.want)) {
			t.Fatalf("path %s: current %v, want %q", tt.path, got, tt.want)
		}
	}
}
