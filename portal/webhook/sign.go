// Package webhook signs and verifies webhooks, in and out, with one
// scheme (HMAC-SHA256 of the timestamp and the body), and delivers the
// outbox of outbound events to the retailer's endpoints.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
)

// Signature headers. The signature is the hex HMAC-SHA256, keyed with the
// shared secret, of the timestamp, a dot, and the raw body.
const (
	HeaderTimestamp = "X-Frontdesk-Timestamp"
	HeaderSignature = "X-Frontdesk-Signature"
)

// ReplayWindow is how far a timestamp may be from now.
const ReplayWindow = 5 * time.Minute

// Sign returns the header values for body sent at ts.
func Sign(secret []byte, ts time.Time, body []byte) (timestamp, signature string) {
	timestamp = strconv.FormatInt(ts.Unix(), 10)
	return timestamp, "sha256=" + hex.EncodeToString(mac(secret, timestamp, body))
}

func mac(secret []byte, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp + "."))
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a webhook's signature and that its timestamp is within
// ReplayWindow of now. Failures are EUNAUTHORIZED.
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time) error {
	if timestamp == "" || signature == "" {
		return portal.Errorf(portal.EUNAUTHORIZED, "Missing %s or %s header.", HeaderTimestamp, HeaderSignature)
	}
	sec, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return portal.Errorf(portal.EUNAUTHORIZED, "%s must be Unix seconds.", HeaderTimestamp)
	}
	got, err := hex.DecodeString(strings.TrimPrefix(signature, "sha256="))
	if err != nil || !strings.HasPrefix(signature, "sha256=") {
		return portal.Errorf(portal.EUNAUTHORIZED, "%s must look like sha256=<hex>.", HeaderSignature)
	}
	if !hmac.Equal(got, mac(secret, timestamp, body)) {
		return portal.Errorf(portal.EUNAUTHORIZED, "The signature does not match the body.")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > ReplayWindow || d < -ReplayWindow {
		return portal.Errorf(portal.EUNAUTHORIZED, "The timestamp is outside the %s replay window.", ReplayWindow)
	}
	return nil
}
