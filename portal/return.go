package portal

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Return kinds: money back, or the same item again.
const (
	ReturnKindRefund   = "return"
	ReturnKindExchange = "exchange"
)

// Return statuses, in the order a return usually goes through them.
const (
	ReturnRequested = "requested" // waiting for an agent's approval
	ReturnApproved  = "approved"  // RMA number and label issued; the parcel is on its way back
	ReturnRejected  = "rejected"
	ReturnReceived  = "received"  // the parcel is back with the retailer
	ReturnRefunded  = "refunded"  // the back office paid the money back
	ReturnExchanged = "exchanged" // the replacement was sent
)

// ReturnStatuses lists every return status.
var ReturnStatuses = []string{ReturnRequested, ReturnApproved, ReturnRejected, ReturnReceived, ReturnRefunded, ReturnExchanged}

// Return reasons.
const (
	ReasonChangedMind    = "changed_mind"
	ReasonDamaged        = "damaged"
	ReasonWrongItem      = "wrong_item"
	ReasonNotAsDescribed = "not_as_described"
	ReasonOther          = "other"
)

// ReturnReasons lists the reasons a customer may give, in display order.
var ReturnReasons = []string{ReasonChangedMind, ReasonDamaged, ReasonWrongItem, ReasonNotAsDescribed, ReasonOther}

// ReasonIsFault reports whether a reason is the retailer's fault: then the
// retailer pays the return shipping whatever the rule says.
func ReasonIsFault(reason string) bool {
	return reason == ReasonDamaged || reason == ReasonWrongItem || reason == ReasonNotAsDescribed
}

// Who pays the return shipping.
const (
	PaidByCustomer = "customer"
	PaidByRetailer = "retailer"
)

// ReturnRule is the retailer's rule for one category of items, matched by
// SKU prefix. WindowDays counts from delivery; a rule that is not
// Returnable refuses every return of its items.
type ReturnRule struct {
	Category     string   `json:"category"`
	SKUPrefixes  []string `json:"sku_prefixes"`
	Returnable   bool     `json:"returnable"`
	WindowDays   int      `json:"window_days"`
	CustomerPays bool     `json:"customer_pays_shipping"`
	AutoApprove  bool     `json:"auto_approve"`
}

// Matches reports whether the rule covers sku (a rule without prefixes
// covers everything, so it serves as the default at the end).
func (r ReturnRule) Matches(sku string) bool {
	if len(r.SKUPrefixes) == 0 {
		return true
	}
	for _, p := range r.SKUPrefixes {
		if p != "" && strings.HasPrefix(strings.ToUpper(sku), strings.ToUpper(p)) {
			return true
		}
	}
	return false
}

// ReturnPolicy is the retailer's returns rules: the first rule whose
// prefixes match an item's SKU decides for it.
type ReturnPolicy struct {
	Rules []ReturnRule `json:"rules"`
	// ShippingFeeMinor is what a customer who pays the return shipping
	// has deducted from the refund.
	ShippingFeeMinor int64 `json:"shipping_fee_minor"`
	// Carrier carries return parcels.
	Carrier   string    `json:"carrier"`
	UpdatedAt time.Time `json:"-"`
}

// DefaultReturnPolicy is the demo retailer's rules.
func DefaultReturnPolicy() *ReturnPolicy {
	return &ReturnPolicy{
		ShippingFeeMinor: 495,
		Carrier:          "DHL",
		Rules: []ReturnRule{
			{Category: "Hygiene (headphones)", SKUPrefixes: []string{"NW-HEAD"}, Returnable: false},
			{Category: "Furniture", SKUPrefixes: []string{"NW-CHAIR", "NW-DESK", "NW-SHELF"}, Returnable: true, WindowDays: 14, CustomerPays: true, AutoApprove: false},
			{Category: "Electronics", SKUPrefixes: []string{"NW-KB", "NW-MON", "NW-HUB", "NW-LAMP"}, Returnable: true, WindowDays: 30, CustomerPays: false, AutoApprove: false},
			{Category: "Home textiles and kitchen", SKUPrefixes: []string{"NW-THROW", "NW-PILLOW", "NW-RUG", "NW-MUG"}, Returnable: true, WindowDays: 30, CustomerPays: true, AutoApprove: true},
			{Category: "Everything else", Returnable: true, WindowDays: 30, CustomerPays: true, AutoApprove: false},
		},
	}
}

// Validate checks a policy an admin saves.
func (p *ReturnPolicy) Validate() error {
	if len(p.Rules) == 0 {
		return FieldError("rules", "Add at least one rule.")
	}
	if len(p.Rules) > 100 {
		return FieldError("rules", "At most 100 rules.")
	}
	for i, r := range p.Rules {
		if strings.TrimSpace(r.Category) == "" {
			return FieldError(fmt.Sprintf("rules[%d].category", i), fmt.Sprintf("Rule %d needs a category name.", i+1))
		}
		if r.WindowDays < 0 || r.WindowDays > 3650 {
			return FieldError(fmt.Sprintf("rules[%d].window_days", i), fmt.Sprintf("Rule %d: the return window is 0 to 3650 days.", i+1))
		}
		if r.Returnable && r.WindowDays == 0 {
			return FieldError(fmt.Sprintf("rules[%d].window_days", i), fmt.Sprintf("Rule %d: a returnable category needs a return window of at least one day.", i+1))
		}
	}
	if p.ShippingFeeMinor < 0 {
		return FieldError("shipping_fee_minor", "The return shipping fee cannot be negative.")
	}
	if strings.TrimSpace(p.Carrier) == "" {
		p.Carrier = "DHL"
	}
	return nil
}

// RuleFor returns the rule that decides for sku; a policy without a
// matching rule refuses the item.
func (p *ReturnPolicy) RuleFor(sku string) ReturnRule {
	for _, r := range p.Rules {
		if r.Matches(sku) {
			return r
		}
	}
	return ReturnRule{Category: "Other", Returnable: false}
}

// Return is a customer's request to send items back, for money or for
// the same items again, and what became of it.
type Return struct {
	ID         int64
	OrderID    int64
	CustomerID int64
	// OrderNumber is filled in on reads.
	OrderNumber string
	Kind        string
	Status      string
	Reason      string
	Note        string // the customer's words
	// RMA is the return authorisation number, given on approval.
	RMA            string
	ShippingPaidBy string
	// ShippingFeeMinor is deducted from the refund when the customer pays.
	ShippingFeeMinor int64
	// RefundMinor is the refund due; RefundedMinor what the back office paid.
	RefundMinor     int64
	RefundedMinor   int64
	RefundReference string
	Currency        string
	// NeedsApproval is set when a rule asked for an agent.
	NeedsApproval bool
	// Carrier and TrackingNumber name the return parcel; ShipmentID is its
	// shipment, tracked like any other.
	Carrier        string
	TrackingNumber string
	ShipmentID     *int64
	// DecisionNote is the agent's reason for approving or rejecting.
	DecisionNote string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Items        []ReturnItem
	Photos       []ReturnPhoto
	Events       []ReturnEvent
	Reservations []Reservation
}

// Number is how people refer to the return: its RMA once approved.
func (r *Return) Number() string {
	if r.RMA != "" {
		return r.RMA
	}
	return fmt.Sprintf("R-%d", r.ID)
}

// Open reports whether the return still counts against the items' returnable quantity.
func (r *Return) Open() bool { return r.Status != ReturnRejected }

// ReturnItem is one order line sent back, in a quantity up to the line's.
type ReturnItem struct {
	ID             int64
	SKU            string
	Name           string
	Quantity       int
	UnitPriceMinor int64
	Category       string
}

// ReturnPhoto is a picture the customer sent with the request; the file
// lives under the data dir, named by StoredName.
type ReturnPhoto struct {
	ID          int64
	ReturnID    int64
	StoredName  string
	ContentType string
	Size        int64
	CreatedAt   time.Time
}

// ReturnEvent is one step in a return's life, shown to the customer and
// to agents.
type ReturnEvent struct {
	ID     int64
	Status string
	Actor  string // customer, agent, policy, carrier, back office
	Note   string
	At     time.Time
}

// Reservation holds a replacement for an exchange (there is no stock
// model, so it is a clear reserved line the warehouse works from).
type Reservation struct {
	SKU      string
	Name     string
	Quantity int
	Status   string // reserved, fulfilled
}

// Reservation statuses.
const (
	ReservationHeld      = "reserved"
	ReservationFulfilled = "fulfilled"
)

// ReturnFilter selects returns, newest first.
type ReturnFilter struct {
	ID         *int64
	RMA        *string
	OrderID    *int64
	CustomerID *int64
	ShipmentID *int64
	Statuses   []string
	Offset     int
	Limit      int
}

// Return actions: what agents, the carrier and the back office do to a return.
const (
	ActApprove  = "approve"
	ActReject   = "reject"
	ActReceive  = "receive"
	ActRefund   = "refund"
	ActExchange = "exchange"
)

// ReturnAction moves a return on.
type ReturnAction struct {
	Kind  string
	Actor string // agent, carrier, back office
	Note  string
	// TrackingNumber is the return parcel's on approval (the caller draws it).
	TrackingNumber string
	// RefundMinor and Reference record a refund; zero means the refund due.
	RefundMinor int64
	Reference   string
}

// ReturnNotifier builds the email telling the customer of a return's new
// step; it runs inside the transaction, so the email is queued with the
// change or not at all. It may return nil.
type ReturnNotifier func(r *Return, customer *User) *Email

// ReturnService stores returns and the rules that decide them.
type ReturnService interface {
	// ReturnPolicy returns the rules in force (DefaultReturnPolicy until
	// an admin saves some).
	ReturnPolicy(ctx context.Context) (*ReturnPolicy, error)
	SetReturnPolicy(ctx context.Context, p *ReturnPolicy) error
	// CreateReturn checks r's items against the policy and the order's
	// earlier returns and stores it, in one transaction serialised per
	// order: the window from delivery, items that cannot be returned,
	// quantities up to what was bought and not yet returned. When every
	// item's rule approves automatically it is approved at once (with
	// r.TrackingNumber as the return parcel's).
	CreateReturn(ctx context.Context, r *Return, notify ReturnNotifier) error
	FindReturns(ctx context.Context, f ReturnFilter) ([]*Return, int, error)
	// ActOnReturn applies an action; one the return's status does not
	// allow is ECONFLICT.
	ActOnReturn(ctx context.Context, id int64, a ReturnAction, notify ReturnNotifier) (*Return, error)
}

// Outbound webhook events of returns (see WebhookEventTypes): a return
// for money is "return.*", an exchange "exchange.*", and the refund
// "refund.issued". Each is written in the transaction of its step.
const (
	EventReturnRequested   = "return.requested"
	EventReturnApproved    = "return.approved"
	EventReturnRejected    = "return.rejected"
	EventReturnReceived    = "return.received"
	EventRefundIssued      = "refund.issued"
	EventExchangeRequested = "exchange.requested"
	EventExchangeApproved  = "exchange.approved"
	EventExchangeRejected  = "exchange.rejected"
	EventExchangeReceived  = "exchange.received"
	EventExchangeShipped   = "exchange.shipped"
)

// ReturnEventType names the webhook event of a return's step (a status).
func ReturnEventType(kind, status string) string {
	if status == ReturnRefunded {
		return EventRefundIssued
	}
	if status == ReturnExchanged {
		return EventExchangeShipped
	}
	prefix := "return."
	if kind == ReturnKindExchange {
		prefix = "exchange."
	}
	return prefix + status
}

// ReturnWebhook is the "data" of a return's webhook events.
type ReturnWebhook struct {
	ID              int64               `json:"id"`
	Number          string              `json:"number"`
	RMA             string              `json:"rma,omitempty"`
	OrderNumber     string              `json:"order_number"`
	CustomerEmail   string              `json:"customer_email"`
	Kind            string              `json:"kind"`
	Status          string              `json:"status"`
	Reason          string              `json:"reason"`
	Note            string              `json:"note,omitempty"`
	Items           []ReturnWebhookItem `json:"items"`
	Reserved        []ReturnWebhookItem `json:"reserved,omitempty"`
	ShippingPaidBy  string              `json:"shipping_paid_by"`
	Carrier         string              `json:"carrier,omitempty"`
	TrackingNumber  string              `json:"tracking_number,omitempty"`
	Currency        string              `json:"currency"`
	RefundMinor     int64               `json:"refund_minor"`
	RefundedMinor   int64               `json:"refunded_minor,omitempty"`
	RefundReference string              `json:"refund_reference,omitempty"`
	DecisionNote    string              `json:"decision_note,omitempty"`
	At              time.Time           `json:"at"`
}

// ReturnWebhookItem is one returned or reserved line.
type ReturnWebhookItem struct {
	SKU            string `json:"sku"`
	Name           string `json:"name"`
	Quantity       int    `json:"quantity"`
	UnitPriceMinor int64  `json:"unit_price_minor,omitempty"`
}
