package main

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/storetest"
)

// phonePhoto writes a 4000x3000 JPEG of a few MB, like a phone camera's:
// a gradient with fine noise, so it stays big until it is scaled down.
func phonePhoto(t *testing.T) (string, int) {
	t.Helper()
	w, h := 4000, 3000
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewSource(1))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			n := rng.Intn(24) - 12
			c := func(v int) uint8 { return uint8(min(max(v+n, 0), 255)) }
			img.SetRGBA(x, y, color.RGBA{c(60 + x*120/w), c(90 + y*100/h), c(140), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 92}); err != nil {
		t.Fatal(err)
	}
	if b.Len() < 2<<20 {
		t.Fatalf("the test photo is only %d bytes", b.Len())
	}
	p := filepath.Join(t.TempDir(), "IMG_0042.jpg")
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p, b.Len()
}

// TestBrowserReturnPhonePhoto: a customer attaches a 4 MB phone photo to
// a return request; the page makes it smaller before sending, so the
// request fits the server's 1 MiB body limit, and the return is stored
// with a JPEG of at most 2000 px on its long side.
func TestBrowserReturnPhonePhoto(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			srv := MustStartServer(t, kind)
			b := MustBrowser(t)
			ctx := context.Background()
			customer, err := srv.Store.FindUserByEmail(ctx, "customer@example.com")
			if err != nil {
				t.Fatal(err)
			}
			photo, size := phonePhoto(t)
			number := "NW-PHOTO-" + strings.ToUpper(kind)
			storetest.MustDeliveredOrder(t, srv.Store, customer, number, time.Now().Add(-48*time.Hour))

			p := b.newPage(t, srv, returnViewports[1])
			p.signIn("customer@example.com", "demo")
			p.visit("/account/orders/" + number + "/return")
			limit, _ := strconv.Atoi(get(p, "limit", chromedp.Evaluate[string](`document.querySelector('form.return-form').dataset.uploadLimit`)))
			if limit <= 0 || size <= limit {
				t.Fatalf("the form states a limit of %d bytes; the photo (%d bytes) must be over it", limit, size)
			}
			p.run("fill the return form",
				chromedp.SetValue(chromedp.ID("qty_1"), "1"),
				chromedp.SetValue(chromedp.ID("reason"), "damaged"),
				chromedp.SendKeys(chromedp.ID("note"), "The seat is torn."),
				chromedp.SetUploadFiles(chromedp.ID("photos"), []string{photo}),
			)
			p.submit(`form.return-form button[type=submit]`)
			p.waitText("#return-status", "Waiting for approval")
			m := regexp.MustCompile(`/account/returns/(\d+)$`).FindStringSubmatch(p.location())
			if m == nil {
				t.Fatalf("after the request the page is %s", p.location())
			}
			id, _ := strconv.ParseInt(m[1], 10, 64)
			rs, _, err := srv.Store.FindReturns(ctx, portal.ReturnFilter{CustomerID: &customer.ID, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			var r *portal.Return
			for _, x := range rs {
				if x.ID == id {
					r = x
				}
			}
			if r == nil || len(r.Photos) != 1 {
				t.Fatalf("return %d in the store: %+v", id, r)
			}
			ph := r.Photos[0]
			if ph.ContentType != "image/jpeg" || ph.Size <= 0 || ph.Size >= int64(limit) {
				t.Fatalf("stored photo %s, %d bytes; want a JPEG under %d bytes", ph.ContentType, ph.Size, limit)
			}
			f, err := os.Open(filepath.Join(srv.DataDir, "return-photos", ph.StoredName))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			cfg, err := jpeg.DecodeConfig(f)
			if err != nil {
				t.Fatalf("stored photo: %v", err)
			}
			if cfg.Width != 2000 || cfg.Height != 1500 {
				t.Fatalf("stored photo is %dx%d, want 2000x1500", cfg.Width, cfg.Height)
			}
			t.Logf("%s: %d-byte photo sent as %d bytes (%dx%d)", kind, size, ph.Size, cfg.Width, cfg.Height)
		})
	}
}

// TestBrowserReturnPhotosTooLarge: when the files still do not fit after
// the photos are made smaller, the form says so next to the file field
// and sends nothing. The page's limit is lowered in the browser, as the
// script reads it from the form when it is submitted.
func TestBrowserReturnPhotosTooLarge(t *testing.T) {
	srv := MustStartServer(t, "sqlite")
	b := MustBrowser(t)
	ctx := context.Background()
	customer, err := srv.Store.FindUserByEmail(ctx, "customer@example.com")
	if err != nil {
		t.Fatal(err)
	}
	photo, _ := phonePhoto(t)
	number := "NW-PHOTO-BIG"
	before, _, err := srv.Store.FindReturns(ctx, portal.ReturnFilter{CustomerID: &customer.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	storetest.MustDeliveredOrder(t, srv.Store, customer, number, time.Now().Add(-48*time.Hour))

	p := b.newPage(t, srv, returnViewports[0])
	p.signIn("customer@example.com", "demo")
	p.visit("/account/orders/" + number + "/return")
	p.run("fill the return form",
		chromedp.SetValue(chromedp.ID("qty_1"), "1"),
		chromedp.SetValue(chromedp.ID("reason"), "damaged"),
		chromedp.SetUploadFiles(chromedp.ID("photos"), []string{photo}),
	)
	get(p, "lower the limit", chromedp.Evaluate[bool](`document.querySelector('form.return-form').setAttribute('data-upload-limit', '100000'); window.__fdSamePage = true`))
	p.run("send", chromedp.Click(chromedp.CSS(`form.return-form button[type=submit]`)))
	p.waitText("#photos-size", "we can take 0.1 MB in one message")
	p.check()
	if get(p, "same page", chromedp.Evaluate[bool](`window.__fdSamePage === true`)) != true || !strings.HasSuffix(p.location(), "/return") {
		t.Fatalf("the form was sent: now at %s", p.location())
	}
	if got := get(p, "described", chromedp.Evaluate[string](`document.getElementById('photos').getAttribute('aria-describedby')`)); !strings.Contains(got, "photos-size") {
		t.Fatalf("the file field is described by %q, not the error", got)
	}
	rs, _, err := srv.Store.FindReturns(ctx, portal.ReturnFilter{CustomerID: &customer.ID, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != len(before) {
		t.Fatalf("%d returns stored, want %d as before", len(rs), len(before))
	}
}

// TestBrowserContactPhonePhoto: on the contact form a 4 MB phone photo
// is made smaller before sending while a PDF beside it goes as it is;
// the case keeps both, and the customer's reply on the case page sends
// another phone photo the same way.
func TestBrowserContactPhonePhoto(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			srv := MustStartServer(t, kind)
			b := MustBrowser(t)
			ctx := context.Background()
			photo, size := phonePhoto(t)
			pdf := []byte("%PDF-1.4\n% delivery note\n" + strings.Repeat("x", 400<<10) + "\n%%EOF\n")
			pdfPath := filepath.Join(t.TempDir(), "delivery-note.pdf")
			if err := os.WriteFile(pdfPath, pdf, 0o600); err != nil {
				t.Fatal(err)
			}
			p := b.newPage(t, srv, returnViewports[0])
			p.signIn("customer@example.com", "demo")
			p.visit("/contact")
			p.waitText("label[for=c-files]", "MB in all")
			p.run("fill the form",
				chromedp.SetValue(chromedp.ID("c-topic"), "delivery"),
				chromedp.SendKeys(chromedp.ID("c-body"), "The sofa arrived with a torn cover."),
				chromedp.SetUploadFiles(chromedp.ID("c-files"), []string{photo, pdfPath}),
			)
			p.submit(`form[action="/contact"] button[type=submit]`)
			p.waitText(".flash", "Your case number is")
			id, err := strconv.ParseInt(strings.TrimPrefix(p.location(), "/account/cases/"), 10, 64)
			if err != nil {
				t.Fatalf("after the form at %q", p.location())
			}
			caseURL := p.location()

			// The customer's reply on the case page takes a photo the same way.
			p.run("reply with a photo",
				chromedp.SendKeys(chromedp.ID("case-reply"), "Another view of the cover."),
				chromedp.SetUploadFiles(chromedp.ID("case-files"), []string{photo}),
			)
			p.submit(`form[action$="/reply"] button[type=submit]`)
			p.waitText(".case-thread", "Another view of the cover.")
			if p.location() != caseURL {
				t.Fatalf("after the reply at %q", p.location())
			}

			entries, err := srv.Store.FindCaseEntries(ctx, id, false)
			if err != nil {
				t.Fatal(err)
			}
			var photos, docs []*portal.CaseAttachment
			for _, e := range entries {
				for _, a := range e.Attachments {
					switch a.Filename {
					case "IMG_0042.jpg":
						photos = append(photos, a)
					case "delivery-note.pdf":
						docs = append(docs, a)
					default:
						t.Fatalf("unexpected attachment %q", a.Filename)
					}
				}
			}
			if len(photos) != 2 || len(docs) != 1 {
				t.Fatalf("%d photos and %d PDFs stored, want 2 and 1", len(photos), len(docs))
			}
			for _, ph := range photos {
				if ph.ContentType != "image/jpeg" || ph.Size <= 0 || ph.Size >= 1<<20 || ph.Size >= int64(size) {
					t.Fatalf("a photo is stored as %s, %d bytes (sent %d)", ph.ContentType, ph.Size, size)
				}
			}
			if docs[0].Size != int64(len(pdf)) {
				t.Fatalf("the PDF is stored as %d bytes, want %d unchanged", docs[0].Size, len(pdf))
			}
		})
	}
}
