package analytics

import (
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

func TestBusinessDuration(t *testing.T) {
	set := portal.ChatSettings{TimeZone: "Europe/Berlin", OpenHour: 9, CloseHour: 17, Days: []int{1, 2, 3, 4, 5}}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := func(day, h, m int) time.Time { return time.Date(2026, 3, day, h, m, 0, 0, berlin) } // 2026-03-06 is a Friday
	for _, c := range []struct {
		name string
		a, b time.Time
		want time.Duration
	}{
		{"inside one day", at(2, 10, 0), at(2, 10, 25), 25 * time.Minute},
		{"Friday evening to Monday morning", at(6, 16, 30), at(9, 9, 15), 45 * time.Minute},
		{"before opening", at(3, 7, 0), at(3, 9, 10), 10 * time.Minute},
		{"over a weekend only", at(7, 10, 0), at(8, 18, 0), 0},
		{"a whole week", at(2, 0, 0), at(9, 0, 0), 40 * time.Hour},
		// Summer time starts on 29 March 2026: the day is 23 hours long,
		// the open hours are still 8.
		{"across the clock change", at(27, 16, 0), at(30, 10, 0), 2 * time.Hour},
		{"backwards", at(3, 12, 0), at(3, 11, 0), 0},
	} {
		if got := BusinessDuration(set, c.a, c.b); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	set.AlwaysOpen = true
	if got := BusinessDuration(set, at(6, 16, 30), at(9, 9, 15)); got != 64*time.Hour+45*time.Minute {
		t.Errorf("always open: %v", got)
	}
}
