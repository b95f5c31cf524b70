package web_test

import (
	"net/url"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
)

// TestCalendarFormIntervals edits a calendar with several opening
// intervals a day; bad hours are refused with an error naming the day and
// the problem, and nothing is saved.
func TestCalendarFormIntervals(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		MustUser(t, s, portal.RoleAdmin, "admin@example.com")
		admin := newClient(t, srv)
		admin.login("admin@example.com")
		wantStatus(t, admin.get("/admin/cases"), 200)
		form := func(mon, tue string) url.Values {
			return url.Values{"id": {"1"}, "name": {"Business hours"}, "time_zone": {"Europe/Berlin"}, "hours_1": {mon}, "hours_2": {tue}}
		}
		for _, tc := range []struct{ name, mon, tue, want string }{
			{"start after end", "09:00-12:00, 17:00-13:00", "", "Monday: 17:00-13:00 ends before it starts"},
			{"overlap", "09:00-12:00", "13:00-17:00, 08:00–13:30", "Tuesday: 08:00-13:30 and 13:00-17:00 overlap."},
			{"not a time", "9am-5pm", "", `Monday: &#34;9am-5pm&#34; is not two times of day`},
			{"no end", "09:00", "", `Monday: write &#34;09:00&#34; as opening and closing time, like 09:00-17:00.`},
			{"past midnight", "09:00-25:00", "", "is not two times of day"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantStatus(t, admin.post("/admin/cases/calendars", form(tc.mon, tc.tue)), 303)
				wantBody(t, admin.get("/admin/cases"), tc.want)
				set, _ := s.SLASettings(ctx())
				if cal := set.Calendars[1]; cal.TimeZone != "UTC" {
					t.Fatalf("refused calendar saved: %+v", cal)
				}
			})
		}
		wantStatus(t, admin.post("/admin/cases/calendars", form("09:00-12:00,13:00-17:00", "13:00 to 17:00; 08:00-12:30")), 303)
		set, _ := s.SLASettings(ctx())
		cal := set.Calendars[1]
		want := []portal.OpeningHours{{Weekday: 1, Open: 540, Close: 720}, {Weekday: 1, Open: 780, Close: 1020}, {Weekday: 2, Open: 480, Close: 750}, {Weekday: 2, Open: 780, Close: 1020}}
		if len(cal.Hours) != len(want) {
			t.Fatalf("hours %+v, want %+v", cal.Hours, want)
		}
		for i := range want {
			if cal.Hours[i] != want[i] {
				t.Fatalf("hours %+v, want %+v", cal.Hours, want)
			}
		}
		// The form shows them back as it takes them.
		page := admin.get("/admin/cases")
		wantBody(t, page, `value="09:00-12:00, 13:00-17:00"`)
		wantBody(t, page, `value="08:00-12:30, 13:00-17:00"`)
	})
}
