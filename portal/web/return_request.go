package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// Photo limits: a few pictures of a damaged item, each within the
// request body limit.
const (
	maxReturnPhotos     = 3
	maxReturnPhotoBytes = 5 << 20
)

// photoTypes are the picture formats accepted, by sniffed content (the
// name and the declared type are the sender's word only).
var photoTypes = map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}

// returnLine is one order line on the return form, with what the rules
// say of it.
type returnLine struct {
	Index    int
	Item     portal.OrderItem
	Left     int    // how many may still be sent back
	Rule     string // the category deciding
	Blocked  string // why it cannot be returned, if so
	Closes   time.Time
	Quantity int // as entered
}

type returnForm struct {
	Order     *portal.Order
	Lines     []returnLine
	Returns   []*portal.Return
	Reasons   []string
	Kind      string
	Reason    string
	Note      string
	Error     string
	Delivered *time.Time
	Policy    *portal.ReturnPolicy
	MaxPhotos int
	// MaxUpload is what the request may carry in all (the body limit).
	MaxUpload string
}

// Returnable reports whether any line can still be sent back.
func (f *returnForm) Returnable() bool {
	for _, l := range f.Lines {
		if l.Blocked == "" {
			return true
		}
	}
	return false
}

// deliveredAt is when the order's own parcels last arrived (return
// parcels left out), for showing the window; the store enforces it.
func (s *Server) deliveredAt(c *fiber.Ctx, o *portal.Order, returns []*portal.Return) (*time.Time, error) {
	ctx := c.UserContext()
	back := map[int64]bool{}
	for _, r := range returns {
		if r.ShipmentID != nil {
			back[*r.ShipmentID] = true
		}
	}
	ships, _, err := s.store.FindShipments(ctx, portal.ShipmentFilter{OrderID: &o.ID, CustomerID: &o.CustomerID, Limit: 100})
	if err != nil {
		return nil, err
	}
	var at *time.Time
	for _, sh := range ships {
		if back[sh.ID] || sh.Status != portal.StatusDelivered {
			continue
		}
		evs, err := s.store.FindTrackingEvents(ctx, sh.ID)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			if e.Status == portal.StatusDelivered && (at == nil || e.OccurredAt.After(*at)) {
				t := e.OccurredAt
				at = &t
			}
		}
	}
	if at == nil && o.Status == portal.OrderDelivered {
		t := o.UpdatedAt
		at = &t
	}
	return at, nil
}

func (s *Server) returnForm(c *fiber.Ctx, o *portal.Order) (*returnForm, error) {
	ctx := c.UserContext()
	returns, _, err := s.store.FindReturns(ctx, portal.ReturnFilter{OrderID: &o.ID, CustomerID: &o.CustomerID, Limit: 100})
	if err != nil {
		return nil, err
	}
	policy, err := s.store.ReturnPolicy(ctx)
	if err != nil {
		return nil, err
	}
	delivered, err := s.deliveredAt(c, o, returns)
	if err != nil {
		return nil, err
	}
	taken := map[string]int{}
	for _, r := range returns {
		if r.Open() {
			for _, it := range r.Items {
				taken[it.SKU] += it.Quantity
			}
		}
	}
	f := &returnForm{Order: o, Returns: returns, Reasons: portal.ReturnReasons, Kind: portal.ReturnKindRefund, Delivered: delivered, Policy: policy, MaxPhotos: maxReturnPhotos,
		MaxUpload: fmt.Sprintf("%.1f MB", float64(min(s.cfg.BodyLimit, maxReturnPhotos*maxReturnPhotoBytes))/1e6)}
	now := s.now()
	for i, it := range o.Items {
		rule := policy.RuleFor(it.SKU)
		l := returnLine{Index: i, Item: it, Rule: rule.Category, Left: max(it.Quantity-taken[it.SKU], 0)}
		taken[it.SKU] = max(taken[it.SKU]-it.Quantity, 0)
		switch {
		case it.Config != "":
			l.Rule, l.Blocked = "Made to order", "Made to order for you, so it cannot be returned."
		case !rule.Returnable:
			l.Blocked = "This kind of item cannot be returned (" + strings.ToLower(rule.Category) + ")."
		case delivered == nil:
			l.Blocked = "You can send it back once it has arrived."
		case l.Left == 0:
			l.Blocked = "Already being returned."
		default:
			l.Closes = delivered.AddDate(0, 0, rule.WindowDays)
			if now.After(l.Closes) {
				l.Blocked = fmt.Sprintf("The %d-day return window closed on %s.", rule.WindowDays, l.Closes.Format("2 January 2006"))
			}
		}
		f.Lines = append(f.Lines, l)
	}
	return f, nil
}

// handleReturnForm shows the return and exchange form for an order.
func (s *Server) handleReturnForm(c *fiber.Ctx) error {
	o, err := s.customerOrder(c)
	if err != nil {
		return err
	}
	f, err := s.returnForm(c, o)
	if err != nil {
		return err
	}
	return s.render(c, fiber.StatusOK, "return_new", "Return or exchange items from order "+o.Number, f)
}

// handleReturnCreate stores a return request with its photos; the rules
// decide in the store, and a refusal shows on the form again.
func (s *Server) handleReturnCreate(c *fiber.Ctx) error {
	o, err := s.customerOrder(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	r := &portal.Return{OrderID: o.ID, CustomerID: u.ID, Kind: c.FormValue("kind"), Reason: c.FormValue("reason"), Note: c.FormValue("note")}
	qty := map[int]int{}
	for i, it := range o.Items {
		v := strings.TrimSpace(c.FormValue("qty_" + strconv.Itoa(i)))
		if v == "" || v == "0" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return s.returnFormError(c, o, r, qty, portal.FieldError("items", "Quantities must be whole numbers."))
		}
		qty[i] = n
		if n > 0 {
			r.Items = append(r.Items, portal.ReturnItem{SKU: it.SKU, Quantity: n})
		}
	}
	var files []*multipart.FileHeader
	if form, err := c.MultipartForm(); err == nil {
		files = form.File["photos"]
	}
	photos, err := s.saveReturnPhotos(files)
	if err != nil {
		return s.returnFormError(c, o, r, qty, err)
	}
	r.Photos = photos
	r.TrackingNumber = newReturnTracking()
	if err := s.store.CreateReturn(c.UserContext(), r, s.returnEmail); err != nil {
		s.removePhotos(photos)
		if portal.ErrorCode(err) == portal.EINVALID {
			return s.returnFormError(c, o, r, qty, err)
		}
		return err
	}
	msg := "We have your request " + r.Number() + ". We will email you when our team has looked at it."
	if r.Status == portal.ReturnApproved {
		msg = "Your return " + r.RMA + " is approved: print the label and send the parcel."
	}
	s.setFlash(c, "ok", msg)
	return c.Redirect(fmt.Sprintf("/account/returns/%d", r.ID), fiber.StatusSeeOther)
}

func (s *Server) returnFormError(c *fiber.Ctx, o *portal.Order, r *portal.Return, qty map[int]int, err error) error {
	f, ferr := s.returnForm(c, o)
	if ferr != nil {
		return ferr
	}
	for i := range f.Lines {
		f.Lines[i].Quantity = qty[f.Lines[i].Index]
	}
	if r.Kind != "" {
		f.Kind = r.Kind
	}
	f.Reason, f.Note, f.Error = r.Reason, r.Note, portal.ErrorMessage(err)
	return s.render(c, fiber.StatusUnprocessableEntity, "return_new", "Return or exchange items from order "+o.Number, f)
}

// newReturnTracking draws a return parcel's tracking number.
func newReturnTracking() string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return "RT" + strings.ToUpper(hex.EncodeToString(b[:]))
}

// photoDir is where return photos are kept.
func (s *Server) photoDir() string { return filepath.Join(s.cfg.DataDir, "return-photos") }

// saveReturnPhotos checks and stores uploaded pictures under random names.
func (s *Server) saveReturnPhotos(files []*multipart.FileHeader) ([]portal.ReturnPhoto, error) {
	var out []portal.ReturnPhoto
	var nonEmpty []*multipart.FileHeader
	for _, fh := range files {
		if fh.Size > 0 || fh.Filename != "" {
			nonEmpty = append(nonEmpty, fh)
		}
	}
	if len(nonEmpty) > maxReturnPhotos {
		return nil, portal.FieldError("photos", fmt.Sprintf("Send at most %d photos.", maxReturnPhotos))
	}
	if len(nonEmpty) == 0 {
		return nil, nil
	}
	if err := os.MkdirAll(s.photoDir(), 0o700); err != nil {
		return nil, fmt.Errorf("return photos: %w", err)
	}
	for _, fh := range nonEmpty {
		p, err := s.savePhoto(fh)
		if err != nil {
			s.removePhotos(out)
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (s *Server) savePhoto(fh *multipart.FileHeader) (portal.ReturnPhoto, error) {
	if fh.Size > maxReturnPhotoBytes {
		return portal.ReturnPhoto{}, portal.FieldError("photos", fmt.Sprintf("Each photo may be %d MB at most.", maxReturnPhotoBytes>>20))
	}
	if fh.Size == 0 {
		return portal.ReturnPhoto{}, portal.FieldError("photos", "One of the photos is empty.")
	}
	f, err := fh.Open()
	if err != nil {
		return portal.ReturnPhoto{}, fmt.Errorf("open photo: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxReturnPhotoBytes+1))
	if err != nil {
		return portal.ReturnPhoto{}, fmt.Errorf("read photo: %w", err)
	}
	ctype := http.DetectContentType(b)
	ext, ok := photoTypes[ctype]
	if !ok {
		return portal.ReturnPhoto{}, portal.FieldError("photos", "Photos must be JPEG, PNG or WebP pictures.")
	}
	var rnd [16]byte
	_, _ = rand.Read(rnd[:])
	name := hex.EncodeToString(rnd[:]) + ext
	if err := os.WriteFile(filepath.Join(s.photoDir(), name), b, 0o600); err != nil {
		return portal.ReturnPhoto{}, fmt.Errorf("store photo: %w", err)
	}
	return portal.ReturnPhoto{StoredName: name, ContentType: ctype, Size: int64(len(b))}, nil
}

func (s *Server) removePhotos(ps []portal.ReturnPhoto) {
	for _, p := range ps {
		_ = os.Remove(filepath.Join(s.photoDir(), p.StoredName))
	}
}
