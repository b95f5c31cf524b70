package tracking

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// LinkTTL is how long a guest's tracking link works: long enough for the
// parcel to arrive, and then some.
const LinkTTL = 60 * 24 * time.Hour

// LinkSig is the signature of a guest tracking link for one shipment until
// expires (Unix seconds): an HMAC-SHA256, keyed with the server secret,
// over both.
func LinkSig(secret []byte, shipmentID int64, expires string) string {
	m := hmac.New(sha256.New, secret)
	fmt.Fprintf(m, "track-link|%d|%s", shipmentID, expires)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// LinkPath is the path of the signed page that shows a guest one shipment
// live until exp; /track and the chat bot hand it out.
func LinkPath(secret []byte, shipmentID int64, exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	q := url.Values{"expires": {e}, "sig": {LinkSig(secret, shipmentID, e)}}
	return fmt.Sprintf("/track/shipments/%d?%s", shipmentID, q.Encode())
}
