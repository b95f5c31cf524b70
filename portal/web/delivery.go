package web

// deliveryOption is a way a configured product reaches the customer.
type deliveryOption struct {
	ID         string
	Label      string
	Detail     string
	PriceMinor int64
}

// deliveryOptions are the choices at checkout. Built-to-order products
// take their build time first; the option decides the last leg.
var deliveryOptions = []deliveryOption{
	{ID: "standard", Label: "Standard delivery", Detail: "2–4 working days after it is built", PriceMinor: 0},
	{ID: "express", Label: "Express delivery", Detail: "next working day after it is built", PriceMinor: 2900},
	{ID: "pickup", Label: "Pick up at the workshop", Detail: "we email you when it is ready", PriceMinor: 0},
}

// deliveryOptionByID returns the option, or nil for an unknown id.
func deliveryOptionByID(id string) *deliveryOption {
	for i := range deliveryOptions {
		if deliveryOptions[i].ID == id {
			return &deliveryOptions[i]
		}
	}
	return nil
}
