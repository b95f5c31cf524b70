package web

import (
	"context"
	"fmt"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
)

// returnEmail tells the customer of a return's new step (it runs in the
// step's transaction, so the email goes out exactly when the step stands).
func (s *Server) returnEmail(r *portal.Return, u *portal.User) *portal.Email {
	link := fmt.Sprintf("%s/account/returns/%d", s.cfg.BaseURL, r.ID)
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\n", firstNonEmpty(u.Name, "there"))
	what := "return"
	if r.Kind == portal.ReturnKindExchange {
		what = "exchange"
	}
	switch r.Status {
	case portal.ReturnRequested:
		fmt.Fprintf(&b, "We have your %s request %s for order %s. A member of our team will look at it and email you.\n", what, r.Number(), r.OrderNumber)
	case portal.ReturnApproved:
		fmt.Fprintf(&b, "Your %s %s for order %s is approved. Print the return label, stick it on the parcel and hand it to %s:\n%s/label\n\nTracking number: %s\n", what, r.RMA, r.OrderNumber, r.Carrier, link, r.TrackingNumber)
		if r.ShippingPaidBy == portal.PaidByCustomer && r.ShippingFeeMinor > 0 {
			fmt.Fprintf(&b, "The return shipping (%s) is deducted from your refund.\n", formatMoney(r.ShippingFeeMinor, r.Currency))
		}
		if len(r.Reservations) > 0 {
			b.WriteString("We have reserved your replacement.\n")
		}
	case portal.ReturnRejected:
		fmt.Fprintf(&b, "We cannot accept your %s request %s for order %s.\n\nOur reason: %s\n\nReply to this email or chat with us if you have questions.\n", what, r.Number(), r.OrderNumber, r.DecisionNote)
	case portal.ReturnReceived:
		fmt.Fprintf(&b, "Your parcel for %s is back with us. ", r.Number())
		if r.Kind == portal.ReturnKindExchange {
			b.WriteString("We will send your replacement shortly.\n")
		} else {
			fmt.Fprintf(&b, "We will refund %s shortly.\n", formatMoney(r.RefundMinor, r.Currency))
		}
	case portal.ReturnRefunded:
		fmt.Fprintf(&b, "We have refunded %s for %s (order %s). It reaches your account in a few days, the way you paid.\n", formatMoney(r.RefundedMinor, r.Currency), r.Number(), r.OrderNumber)
	case portal.ReturnExchanged:
		fmt.Fprintf(&b, "Your replacement for %s (order %s) is on its way.\n", r.Number(), r.OrderNumber)
	}
	fmt.Fprintf(&b, "\nEvery step of your %s: %s\n", what, link)
	return &portal.Email{To: u.Email, Subject: fmt.Sprintf("%s %s: %s", strings.ToUpper(what[:1])+what[1:], r.Number(), portal.Label(r.Status)), Body: b.String()}
}

// returnParcelChanged is the tracking ingester's hook: when a return
// parcel is delivered (to the retailer), the return is received.
func (s *Server) returnParcelChanged(ctx context.Context, c portal.ShipmentChange) error {
	if c.After != portal.StatusDelivered || c.Before == portal.StatusDelivered {
		return nil
	}
	id := c.ShipmentID
	rs, _, err := s.store.FindReturns(ctx, portal.ReturnFilter{ShipmentID: &id, Limit: 1})
	if err != nil || len(rs) == 0 || rs[0].Status != portal.ReturnApproved {
		return err
	}
	_, err = s.store.ActOnReturn(ctx, rs[0].ID, portal.ReturnAction{Kind: portal.ActReceive, Actor: "carrier", Note: "The carrier delivered your parcel to us."}, s.returnEmail)
	if portal.ErrorCode(err) == portal.ECONFLICT {
		return nil // received meanwhile (the back office said so first)
	}
	return err
}
