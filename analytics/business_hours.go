package analytics

import (
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// BusinessDuration is the part of [a, b) that falls in the chat's business
// hours (the admin's chat settings): a wait that starts on Friday evening
// and ends on Monday morning counts only Monday's open minutes.
func BusinessDuration(set portal.ChatSettings, a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	if set.AlwaysOpen {
		return b.Sub(a)
	}
	z, err := time.LoadLocation(set.TimeZone)
	if err != nil {
		z = time.UTC
	}
	open := map[time.Weekday]bool{}
	for _, d := range set.Days {
		open[time.Weekday(d)] = true
	}
	var total time.Duration
	la := a.In(z)
	y, m, d := la.Date()
	for day := time.Date(y, m, d, 0, 0, 0, 0, z); day.Before(b); day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, z) {
		if !open[day.Weekday()] {
			continue
		}
		from := time.Date(day.Year(), day.Month(), day.Day(), set.OpenHour, 0, 0, 0, z)
		to := time.Date(day.Year(), day.Month(), day.Day(), set.CloseHour, 0, 0, 0, z)
		if from.Before(a) {
			from = a
		}
		if to.After(b) {
			to = b
		}
		if to.After(from) {
			total += to.Sub(from)
		}
	}
	return total
}

// BusinessHours measures business time between two moments; a
// *portal.Calendar is one, ChatHours another.
type BusinessHours interface {
	Between(a, b time.Time) time.Duration
}

// ChatHours measures business time by the chat settings' opening hours.
type ChatHours portal.ChatSettings

// Between is BusinessDuration on the chat settings.
func (h ChatHours) Between(a, b time.Time) time.Duration {
	return BusinessDuration(portal.ChatSettings(h), a, b)
}
