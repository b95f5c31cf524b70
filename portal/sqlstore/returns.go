package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/portal"
)

// ReturnPolicy returns the stored rules, or the defaults.
func (s *Store) ReturnPolicy(ctx context.Context) (*portal.ReturnPolicy, error) {
	return s.returnPolicy(ctx, s.db)
}

func (s *Store) returnPolicy(ctx context.Context, q Querier) (*portal.ReturnPolicy, error) {
	var body string
	var at time.Time
	err := q.QueryRow(ctx, `SELECT body, updated_at FROM return_policies WHERE id = 1`).Scan(&body, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return portal.DefaultReturnPolicy(), nil
	} else if err != nil {
		return nil, wrap("return policy", err)
	}
	var p portal.ReturnPolicy
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		return nil, fmt.Errorf("return policy: %w", err)
	}
	p.UpdatedAt = at
	return &p, nil
}

// SetReturnPolicy validates and stores the rules.
func (s *Store) SetReturnPolicy(ctx context.Context, p *portal.ReturnPolicy) error {
	if err := p.Validate(); err != nil {
		return err
	}
	b, _ := json.Marshal(p)
	p.UpdatedAt = s.now()
	_, err := s.db.Exec(ctx, `INSERT INTO return_policies (id, body, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`, string(b), p.UpdatedAt)
	return wrap("set return policy", err)
}

func (s *Store) lockClause() string {
	if s.db.Dialect() == "postgres" {
		return ` FOR UPDATE`
	}
	return ``
}

// madeToOrder decides for configured products: built for one customer,
// they cannot be sent back.
var madeToOrder = portal.ReturnRule{Category: "Made to order", Returnable: false}

// CreateReturn checks and stores a return (see portal.ReturnService).
func (s *Store) CreateReturn(ctx context.Context, r *portal.Return, notify portal.ReturnNotifier) error {
	if r.Kind != portal.ReturnKindRefund && r.Kind != portal.ReturnKindExchange {
		return portal.FieldError("kind", "Choose a refund or an exchange.")
	}
	if !slices.Contains(portal.ReturnReasons, r.Reason) {
		return portal.FieldError("reason", "Choose a reason for the return.")
	}
	r.Note = strings.TrimSpace(r.Note)
	if utf8.RuneCountInString(r.Note) > 2000 {
		return portal.FieldError("note", "Tell us in 2,000 characters at most.")
	}
	if len(r.Items) == 0 {
		return portal.FieldError("items", "Choose at least one item and how many to send back.")
	}
	want := map[string]int{}
	for _, it := range r.Items {
		if it.Quantity <= 0 {
			return portal.FieldError("items", "Quantities must be whole numbers above zero.")
		}
		want[it.SKU] += it.Quantity
	}
	if r.Reason == portal.ReasonOther && r.Note == "" {
		return portal.FieldError("note", "Tell us a little about the reason.")
	}
	now := s.now()
	err := s.db.InTx(ctx, func(q Querier) error {
		// The order row serialises returns of one order (SQLite has one writer).
		var status, currency string
		var updated time.Time
		err := q.QueryRow(ctx, `SELECT status, currency, updated_at FROM orders WHERE id = ? AND customer_id = ?`+s.lockClause(), r.OrderID, r.CustomerID).Scan(&status, &currency, &updated)
		if errors.Is(err, sql.ErrNoRows) {
			return portal.Errorf(portal.ENOTFOUND, "Order not found.")
		} else if err != nil {
			return err
		}
		type line struct {
			name   string
			qty    int
			price  int64
			config bool
		}
		bought := map[string]*line{}
		rows, err := q.Query(ctx, `SELECT sku, name, quantity, unit_price_minor, config FROM order_items WHERE order_id = ? ORDER BY position`, r.OrderID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var sku, name, config string
			var qty int
			var price int64
			if err := rows.Scan(&sku, &name, &qty, &price, &config); err != nil {
				rows.Close()
				return err
			}
			if l, ok := bought[sku]; ok {
				l.qty += qty
			} else {
				bought[sku] = &line{name: name, qty: qty, price: price, config: config != ""}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		returned := map[string]int{}
		rows, err = q.Query(ctx, `SELECT ri.sku, SUM(ri.quantity) FROM return_items ri JOIN returns r ON r.id = ri.return_id WHERE r.order_id = ? AND r.status <> ? GROUP BY ri.sku`, r.OrderID, portal.ReturnRejected)
		if err != nil {
			return err
		}
		for rows.Next() {
			var sku string
			var n int
			if err := rows.Scan(&sku, &n); err != nil {
				rows.Close()
				return err
			}
			returned[sku] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// The window runs from the last delivery of the order's own
		// parcels (return parcels do not count).
		var delivered *time.Time
		if err := q.QueryRow(ctx, `SELECT MAX(te.occurred_at) FROM tracking_events te JOIN shipments sh ON sh.id = te.shipment_id
			WHERE sh.order_id = ? AND te.status = ? AND NOT EXISTS (SELECT 1 FROM returns rt WHERE rt.shipment_id = sh.id)`, r.OrderID, portal.StatusDelivered).Scan(&delivered); err != nil {
			return err
		}
		if delivered == nil && status == portal.OrderDelivered {
			delivered = &updated
		}
		if delivered == nil {
			return portal.FieldError("items", "You can send items back once they have arrived. To stop an order on its way, contact us.")
		}
		policy, err := s.returnPolicy(ctx, q)
		if err != nil {
			return err
		}
		r.Currency, r.Status, r.CreatedAt, r.UpdatedAt = currency, portal.ReturnRequested, now, now
		auto, customerPays := true, false
		var value int64
		skus := make([]string, 0, len(want))
		for sku := range want {
			skus = append(skus, sku)
		}
		slices.Sort(skus)
		items := make([]portal.ReturnItem, 0, len(skus))
		for _, sku := range skus {
			l, ok := bought[sku]
			if !ok {
				return portal.FieldError("items", "That item is not in this order.")
			}
			rule := policy.RuleFor(sku)
			if l.config {
				rule = madeToOrder
			}
			if !rule.Returnable {
				return portal.FieldError("items", fmt.Sprintf("%s cannot be returned (%s).", l.name, strings.ToLower(rule.Category)))
			}
			if closes := delivered.AddDate(0, 0, rule.WindowDays); now.After(closes) {
				return portal.FieldError("items", fmt.Sprintf("The %d-day return window for %s closed on %s.", rule.WindowDays, l.name, closes.Format("2 January 2006")))
			}
			left := l.qty - returned[sku]
			if left <= 0 {
				return portal.FieldError("items", fmt.Sprintf("%s is already being returned.", l.name))
			}
			if want[sku] > left {
				return portal.FieldError("items", fmt.Sprintf("You can send back at most %d of %s.", left, l.name))
			}
			auto = auto && rule.AutoApprove
			customerPays = customerPays || rule.CustomerPays
			value += l.price * int64(want[sku])
			items = append(items, portal.ReturnItem{SKU: sku, Name: l.name, Quantity: want[sku], UnitPriceMinor: l.price, Category: rule.Category})
		}
		r.Items = items
		r.ShippingPaidBy, r.ShippingFeeMinor = portal.PaidByRetailer, 0
		if customerPays && !portal.ReasonIsFault(r.Reason) {
			r.ShippingPaidBy = portal.PaidByCustomer
			r.ShippingFeeMinor = policy.ShippingFeeMinor
		}
		if r.Kind == portal.ReturnKindRefund {
			r.RefundMinor = max(value-r.ShippingFeeMinor, 0)
		} else {
			r.RefundMinor = 0
		}
		r.NeedsApproval = !auto
		r.Carrier = policy.Carrier
		tracking := r.TrackingNumber
		r.TrackingNumber = ""
		if err := q.QueryRow(ctx, `INSERT INTO returns (order_id, customer_id, kind, status, reason, note, shipping_paid_by, shipping_fee_minor, refund_minor, currency, needs_approval, carrier, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			r.OrderID, r.CustomerID, r.Kind, r.Status, r.Reason, r.Note, r.ShippingPaidBy, r.ShippingFeeMinor, r.RefundMinor, r.Currency, boolInt(r.NeedsApproval), r.Carrier, now, now).Scan(&r.ID); err != nil {
			return err
		}
		for i := range r.Items {
			it := &r.Items[i]
			if err := q.QueryRow(ctx, `INSERT INTO return_items (return_id, sku, name, quantity, unit_price_minor, category) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
				r.ID, it.SKU, it.Name, it.Quantity, it.UnitPriceMinor, it.Category).Scan(&it.ID); err != nil {
				return err
			}
		}
		for i := range r.Photos {
			p := &r.Photos[i]
			p.ReturnID, p.CreatedAt = r.ID, now
			if err := q.QueryRow(ctx, `INSERT INTO return_photos (return_id, stored_name, content_type, size, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
				r.ID, p.StoredName, p.ContentType, p.Size, now).Scan(&p.ID); err != nil {
				return err
			}
		}
		note := "We have your request."
		if r.NeedsApproval {
			note = "We have your request; a member of our team will look at it shortly."
		}
		if err := s.addReturnEvent(ctx, q, r, portal.ReturnRequested, "customer", note, now); err != nil {
			return err
		}
		if auto {
			if err := s.approveIn(ctx, q, r, tracking, "policy", "Approved automatically under our returns policy.", now); err != nil {
				return err
			}
		}
		return notifyReturn(ctx, q, r, notify, now)
	})
	if err != nil {
		r.ID = 0
		return wrap("create return", err)
	}
	return nil
}

// addReturnEvent records a step of r (already in its new state) and
// tells the retailer's systems by webhook, in the step's transaction.
func (s *Store) addReturnEvent(ctx context.Context, q Querier, r *portal.Return, status, actor, note string, at time.Time) error {
	ev := portal.ReturnEvent{Status: status, Actor: actor, Note: note, At: at}
	if err := q.QueryRow(ctx, `INSERT INTO return_events (return_id, status, actor, note, at) VALUES (?, ?, ?, ?, ?) RETURNING id`, r.ID, status, actor, note, at).Scan(&ev.ID); err != nil {
		return err
	}
	r.Events = append(r.Events, ev)
	data := portal.ReturnWebhook{ID: r.ID, Number: r.Number(), RMA: r.RMA, OrderNumber: r.OrderNumber, Kind: r.Kind, Status: status, Reason: r.Reason, Note: r.Note,
		Items: []portal.ReturnWebhookItem{}, ShippingPaidBy: r.ShippingPaidBy, Carrier: r.Carrier, TrackingNumber: r.TrackingNumber, Currency: r.Currency,
		RefundMinor: r.RefundMinor, RefundedMinor: r.RefundedMinor, RefundReference: r.RefundReference, DecisionNote: r.DecisionNote, At: at}
	if err := q.QueryRow(ctx, `SELECT u.email, o.number FROM users u JOIN orders o ON o.customer_id = u.id WHERE o.id = ? AND u.id = ?`, r.OrderID, r.CustomerID).Scan(&data.CustomerEmail, &data.OrderNumber); err != nil {
		return err
	}
	for _, it := range r.Items {
		data.Items = append(data.Items, portal.ReturnWebhookItem{SKU: it.SKU, Name: it.Name, Quantity: it.Quantity, UnitPriceMinor: it.UnitPriceMinor})
	}
	for _, v := range r.Reservations {
		if v.Status == portal.ReservationHeld {
			data.Reserved = append(data.Reserved, portal.ReturnWebhookItem{SKU: v.SKU, Name: v.Name, Quantity: v.Quantity})
		}
	}
	_, err := s.EnqueueWebhookTx(ctx, q, portal.ReturnEventType(r.Kind, status), data)
	return err
}

// approveIn gives the return its RMA number and its return parcel (a
// shipment of the order, tracked like any other), and reserves an
// exchange's replacements.
func (s *Store) approveIn(ctx context.Context, q Querier, r *portal.Return, tracking, actor, note string, now time.Time) error {
	tracking = strings.TrimSpace(tracking)
	if tracking == "" {
		return portal.FieldError("tracking_number", "A return parcel needs a tracking number.")
	}
	r.RMA = fmt.Sprintf("RMA%07d", r.ID)
	var shipID int64
	err := q.QueryRow(ctx, `INSERT INTO shipments (order_id, customer_id, carrier, tracking_number, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.OrderID, r.CustomerID, r.Carrier, tracking, portal.StatusInfoReceived, now, now).Scan(&shipID)
	if s.db.IsUniqueViolation(err) {
		return portal.Errorf(portal.ECONFLICT, "That tracking number is taken; try again.")
	} else if err != nil {
		return err
	}
	r.ShipmentID, r.TrackingNumber, r.Status, r.UpdatedAt = &shipID, tracking, portal.ReturnApproved, now
	if _, err := q.Exec(ctx, `UPDATE returns SET status = ?, rma = ?, tracking_number = ?, shipment_id = ?, decision_note = CASE WHEN ? = 'agent' THEN ? ELSE decision_note END, updated_at = ? WHERE id = ?`,
		r.Status, r.RMA, tracking, shipID, actor, note, now, r.ID); err != nil {
		return err
	}
	if r.Kind == portal.ReturnKindExchange {
		for _, it := range r.Items {
			if _, err := q.Exec(ctx, `INSERT INTO return_reservations (return_id, sku, name, quantity, status, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
				r.ID, it.SKU, it.Name, it.Quantity, portal.ReservationHeld, now); err != nil {
				return err
			}
			r.Reservations = append(r.Reservations, portal.Reservation{SKU: it.SKU, Name: it.Name, Quantity: it.Quantity, Status: portal.ReservationHeld})
		}
	}
	return s.addReturnEvent(ctx, q, r, portal.ReturnApproved, actor, note, now)
}

func notifyReturn(ctx context.Context, q Querier, r *portal.Return, notify portal.ReturnNotifier, now time.Time) error {
	if notify == nil {
		return nil
	}
	var u portal.User
	if err := q.QueryRow(ctx, `SELECT id, email, name FROM users WHERE id = ?`, r.CustomerID).Scan(&u.ID, &u.Email, &u.Name); err != nil {
		return err
	}
	if r.OrderNumber == "" {
		if err := q.QueryRow(ctx, `SELECT number FROM orders WHERE id = ?`, r.OrderID).Scan(&r.OrderNumber); err != nil {
			return err
		}
	}
	e := notify(r, &u)
	if e == nil {
		return nil
	}
	if err := portal.ValidateEmail(portal.NormalizeEmail(e.To)); err != nil {
		return err
	}
	e.CreatedAt, e.NextAttemptAt = now, now
	return q.QueryRow(ctx, `INSERT INTO outbox (to_addr, subject, body, created_at, attempts, last_error, next_attempt_at) VALUES (?, ?, ?, ?, 0, '', ?) RETURNING id`,
		e.To, e.Subject, e.Body, now, now).Scan(&e.ID)
}

const returnCols = `r.id, r.order_id, r.customer_id, o.number, r.kind, r.status, r.reason, r.note, COALESCE(r.rma, ''), r.shipping_paid_by, r.shipping_fee_minor, r.refund_minor, r.refunded_minor,
	r.refund_reference, r.currency, r.needs_approval, r.carrier, r.tracking_number, r.shipment_id, r.decision_note, r.created_at, r.updated_at`

func scanReturn(row Row) (*portal.Return, error) {
	var r portal.Return
	var needs int
	err := row.Scan(&r.ID, &r.OrderID, &r.CustomerID, &r.OrderNumber, &r.Kind, &r.Status, &r.Reason, &r.Note, &r.RMA, &r.ShippingPaidBy, &r.ShippingFeeMinor, &r.RefundMinor, &r.RefundedMinor,
		&r.RefundReference, &r.Currency, &needs, &r.Carrier, &r.TrackingNumber, &r.ShipmentID, &r.DecisionNote, &r.CreatedAt, &r.UpdatedAt)
	r.NeedsApproval = needs != 0
	return &r, err
}

// FindReturns returns a page of returns with their items, photos, steps
// and reservations, newest first.
func (s *Store) FindReturns(ctx context.Context, f portal.ReturnFilter) ([]*portal.Return, int, error) {
	return s.findReturns(ctx, s.db, f)
}

func (s *Store) findReturns(ctx context.Context, q Querier, f portal.ReturnFilter) ([]*portal.Return, int, error) {
	var w where
	if f.ID != nil {
		w.add("r.id = ?", *f.ID)
	}
	if f.RMA != nil {
		w.add("r.rma = ?", strings.ToUpper(strings.TrimSpace(*f.RMA)))
	}
	if f.OrderID != nil {
		w.add("r.order_id = ?", *f.OrderID)
	}
	if f.CustomerID != nil {
		w.add("r.customer_id = ?", *f.CustomerID)
	}
	if f.ShipmentID != nil {
		w.add("r.shipment_id = ?", *f.ShipmentID)
	}
	if len(f.Statuses) > 0 {
		args := make([]any, len(f.Statuses))
		for i, st := range f.Statuses {
			args[i] = st
		}
		w.add("r.status IN ("+placeholders(len(args))+")", args...)
	}
	var total int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM returns r`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, wrap("count returns", err)
	}
	rows, err := q.Query(ctx, `SELECT `+returnCols+` FROM returns r JOIN orders o ON o.id = r.order_id`+w.String()+` ORDER BY r.created_at DESC, r.id DESC LIMIT ? OFFSET ?`,
		append(w.args, limit(f.Limit, 20, 200), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, wrap("find returns", err)
	}
	out, err := collect(rows, scanReturn)
	if err != nil || len(out) == 0 {
		return out, total, wrap("find returns", err)
	}
	byID := map[int64]*portal.Return{}
	ids := make([]any, len(out))
	for i, r := range out {
		byID[r.ID], ids[i] = r, r.ID
	}
	in := `IN (` + placeholders(len(ids)) + `)`
	if err := eachRow(ctx, q, `SELECT return_id, id, sku, name, quantity, unit_price_minor, category FROM return_items WHERE return_id `+in+` ORDER BY id`, ids, func(row Row) error {
		var rid int64
		var it portal.ReturnItem
		if err := row.Scan(&rid, &it.ID, &it.SKU, &it.Name, &it.Quantity, &it.UnitPriceMinor, &it.Category); err != nil {
			return err
		}
		byID[rid].Items = append(byID[rid].Items, it)
		return nil
	}); err != nil {
		return nil, 0, wrap("find return items", err)
	}
	if err := eachRow(ctx, q, `SELECT return_id, id, stored_name, content_type, size, created_at FROM return_photos WHERE return_id `+in+` ORDER BY id`, ids, func(row Row) error {
		var p portal.ReturnPhoto
		if err := row.Scan(&p.ReturnID, &p.ID, &p.StoredName, &p.ContentType, &p.Size, &p.CreatedAt); err != nil {
			return err
		}
		byID[p.ReturnID].Photos = append(byID[p.ReturnID].Photos, p)
		return nil
	}); err != nil {
		return nil, 0, wrap("find return photos", err)
	}
	if err := eachRow(ctx, q, `SELECT return_id, id, status, actor, note, at FROM return_events WHERE return_id `+in+` ORDER BY id`, ids, func(row Row) error {
		var rid int64
		var e portal.ReturnEvent
		if err := row.Scan(&rid, &e.ID, &e.Status, &e.Actor, &e.Note, &e.At); err != nil {
			return err
		}
		byID[rid].Events = append(byID[rid].Events, e)
		return nil
	}); err != nil {
		return nil, 0, wrap("find return events", err)
	}
	if err := eachRow(ctx, q, `SELECT return_id, sku, name, quantity, status FROM return_reservations WHERE return_id `+in+` ORDER BY id`, ids, func(row Row) error {
		var rid int64
		var v portal.Reservation
		if err := row.Scan(&rid, &v.SKU, &v.Name, &v.Quantity, &v.Status); err != nil {
			return err
		}
		byID[rid].Reservations = append(byID[rid].Reservations, v)
		return nil
	}); err != nil {
		return nil, 0, wrap("find return reservations", err)
	}
	return out, total, nil
}

func eachRow(ctx context.Context, q Querier, query string, args []any, fn func(Row) error) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ActOnReturn moves a return on, in one transaction with its step, its
// email and (for refunds) the order's payment status.
func (s *Store) ActOnReturn(ctx context.Context, id int64, a portal.ReturnAction, notify portal.ReturnNotifier) (*portal.Return, error) {
	a.Note = strings.TrimSpace(a.Note)
	if utf8.RuneCountInString(a.Note) > 2000 {
		return nil, portal.FieldError("note", "The note is too long (2,000 characters at most).")
	}
	var out *portal.Return
	now := s.now()
	err := s.db.InTx(ctx, func(q Querier) error {
		// Lock the return row first, so two agents or a retried API call
		// cannot both move it on.
		var status string
		err := q.QueryRow(ctx, `SELECT status FROM returns WHERE id = ?`+s.lockClause(), id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
			return portal.Errorf(portal.ENOTFOUND, "Return not found.")
		} else if err != nil {
			return err
		}
		found, _, err := s.findReturns(ctx, q, portal.ReturnFilter{ID: &id, Limit: 1})
		if err != nil {
			return err
		}
		r := found[0]
		conflict := func(what string) error {
			return portal.Errorf(portal.ECONFLICT, "This return is %s, so it cannot be %s.", strings.ToLower(portal.Label(r.Status)), what)
		}
		switch a.Kind {
		case portal.ActApprove:
			if r.Status != portal.ReturnRequested {
				return conflict("approved")
			}
			note := a.Note
			if note == "" {
				note = "Approved by our team."
			}
			if err := s.approveIn(ctx, q, r, a.TrackingNumber, a.Actor, note, now); err != nil {
				return err
			}
		case portal.ActReject:
			if r.Status != portal.ReturnRequested {
				return conflict("declined")
			}
			if a.Note == "" {
				return portal.FieldError("note", "Tell the customer why the return is declined.")
			}
			r.Status, r.DecisionNote = portal.ReturnRejected, a.Note
			if _, err := q.Exec(ctx, `UPDATE returns SET status = ?, decision_note = ?, updated_at = ? WHERE id = ?`, r.Status, a.Note, now, r.ID); err != nil {
				return err
			}
			if err := s.addReturnEvent(ctx, q, r, r.Status, a.Actor, a.Note, now); err != nil {
				return err
			}
		case portal.ActReceive:
			if r.Status != portal.ReturnApproved {
				return conflict("marked received")
			}
			r.Status = portal.ReturnReceived
			if _, err := q.Exec(ctx, `UPDATE returns SET status = ?, updated_at = ? WHERE id = ?`, r.Status, now, r.ID); err != nil {
				return err
			}
			note := a.Note
			if note == "" {
				note = "Your parcel is back with us."
			}
			if err := s.addReturnEvent(ctx, q, r, r.Status, a.Actor, note, now); err != nil {
				return err
			}
		case portal.ActRefund:
			if r.Kind != portal.ReturnKindRefund {
				return portal.Errorf(portal.ECONFLICT, "This is an exchange: send the replacement instead of a refund.")
			}
			if r.Status != portal.ReturnApproved && r.Status != portal.ReturnReceived {
				return conflict("refunded")
			}
			amount := a.RefundMinor
			if amount == 0 {
				amount = r.RefundMinor
			}
			var value int64
			for _, it := range r.Items {
				value += it.UnitPriceMinor * int64(it.Quantity)
			}
			if amount < 0 || amount > value {
				return portal.FieldError("amount_minor", fmt.Sprintf("The refund must be between 0 and the items' value (%d).", value))
			}
			r.Status, r.RefundedMinor, r.RefundReference = portal.ReturnRefunded, amount, strings.TrimSpace(a.Reference)
			if _, err := q.Exec(ctx, `UPDATE returns SET status = ?, refunded_minor = ?, refund_reference = ?, updated_at = ? WHERE id = ?`, r.Status, amount, r.RefundReference, now, r.ID); err != nil {
				return err
			}
			// The order's payment status follows its refunds.
			if _, err := q.Exec(ctx, `UPDATE orders SET payment_status = CASE WHEN (SELECT COALESCE(SUM(refunded_minor), 0) FROM returns WHERE order_id = orders.id AND status = ?) >= total_minor THEN ? ELSE ? END, updated_at = ? WHERE id = ?`,
				portal.ReturnRefunded, portal.PaymentRefunded, "partially_refunded", now, r.OrderID); err != nil {
				return err
			}
			note := a.Note
			if note == "" {
				note = "Refund issued."
			}
			if err := s.addReturnEvent(ctx, q, r, r.Status, a.Actor, note, now); err != nil {
				return err
			}
		case portal.ActExchange:
			if r.Kind != portal.ReturnKindExchange {
				return portal.Errorf(portal.ECONFLICT, "This is a return for a refund, not an exchange.")
			}
			if r.Status != portal.ReturnApproved && r.Status != portal.ReturnReceived {
				return conflict("exchanged")
			}
			r.Status = portal.ReturnExchanged
			if _, err := q.Exec(ctx, `UPDATE returns SET status = ?, updated_at = ? WHERE id = ?`, r.Status, now, r.ID); err != nil {
				return err
			}
			if _, err := q.Exec(ctx, `UPDATE return_reservations SET status = ?, updated_at = ? WHERE return_id = ? AND status = ?`, portal.ReservationFulfilled, now, r.ID, portal.ReservationHeld); err != nil {
				return err
			}
			for i := range r.Reservations {
				r.Reservations[i].Status = portal.ReservationFulfilled
			}
			note := a.Note
			if note == "" {
				note = "Your replacement is on its way."
			}
			if err := s.addReturnEvent(ctx, q, r, r.Status, a.Actor, note, now); err != nil {
				return err
			}
		default:
			return portal.FieldError("action", "Unknown action.")
		}
		r.UpdatedAt = now
		out = r
		return notifyReturn(ctx, q, r, notify, now)
	})
	if err != nil {
		return nil, wrap("act on return", err)
	}
	return out, nil
}
