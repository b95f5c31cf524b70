package tracking_test

import (
	"testing"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/tracking"
)

// fuzzParse: a carrier's body never panics the parser, and every refusal
// is the sender's fault (EINVALID, a 400), never an internal error.
func fuzzParse(f *testing.F, source string, seeds ...string) {
	for _, s := range append(seeds, "", "{}", "[]", "null", `{"events":null}`, "\x00", "\xff{") {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ups, err := tracking.Parse(source, body)
		if err != nil {
			if code := portal.ErrorCode(err); code != portal.EINVALID {
				t.Fatalf("%s %q: error code %s (%v), want invalid", source, body, code, err)
			}
			return
		}
		for _, u := range ups {
			if u.TrackingNumber == "" {
				t.Fatalf("%s %q: an update without a tracking number", source, body)
			}
		}
	})
}

func FuzzParseFrontdesk(f *testing.F) {
	fuzzParse(f, "frontdesk",
		`{"events":[{"id":"e1","tracking_number":"TRK-1","carrier":"DHL","status":"in_transit","message":"Scan","city":"Leipzig","country":"DE","occurred_at":"2026-11-20T10:00:00+01:00"}]}`,
		`{"events":[{"id":"e1","tracking_number":"TRK-1","status":"lost","occurred_at":"yesterday"}]}`)
}

func FuzzParseAfterShip(f *testing.F) {
	fuzzParse(f, "aftership",
		`{"msg":{"tracking_number":"TN1","slug":"dhl","expected_delivery":"2026-11-22","checkpoints":[{"checkpoint_time":"2026-03-01T10:00:00+01:00","tag":"InTransit","subtag":"InTransit_001","message":"M","city":"Berlin","country_iso3":"DEU"}]}}`,
		`{"msg":{"tracking_number":"TN1","checkpoints":[{"checkpoint_time":"2026-03-01T10:00:00","tag":"Nope"}]}}`)
}

func FuzzParseEasyPost(f *testing.F) {
	fuzzParse(f, "easypost",
		`{"result":{"tracking_code":"TN1","carrier":"UPS","est_delivery_date":"2026-11-22T00:00:00Z","tracking_details":[{"datetime":"2026-03-01T10:00:00Z","status":"in_transit","status_detail":"arrived_at_facility","message":"M","tracking_location":{"city":"Austin","state":"TX","country":"US","zip":"78701"}}]}}`,
		`{"result":{"tracking_code":"TN1","tracking_details":[{"datetime":"bad","status":"in_transit"}]}}`)
}
