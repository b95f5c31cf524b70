package web

import (
	"bytes"
	"html/template"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/frontdesk/frontdesk/portal"
)

// renderHistoryItems writes the "history_items" template's output for
// list. The template's reflection costs about a third of an uncached
// history page's CPU (bench portal's profile), so a list whose every value
// needs no escaping (order numbers, statuses, dates, amounts: nearly every
// list) is written here directly, byte for byte as the template writes it
// (TestRenderHistoryItemsMatchesTemplate); any other list, an empty one,
// and the pager go through the template.
func renderHistoryItems(buf *bytes.Buffer, t *template.Template, list historyList) error {
	zone, ok := list.Zone.(*time.Location)
	if !ok || len(list.Items) == 0 {
		return t.ExecuteTemplate(buf, "history_items", list)
	}
	start := buf.Len()
	buf.WriteString("\n<ul class=\"list history\">\n")
	var num [20]byte
	for _, it := range list.Items {
		when := it.At.In(zone).Format("2 Jan 2006, 15:04 MST")
		money := ""
		if it.Currency != "" {
			money = formatMoney(it.Minor, it.Currency)
		}
		k, known := historyKinds[it.Kind]
		kind, status := portal.Label(it.Kind), portal.Label(it.Status)
		if !known || !plainText(it.Ref) || !plainText(status) || !plainText(kind) || !plainText(when) || !plainText(money) || (k.byRef && !plainURL(it.Ref)) {
			buf.Truncate(start)
			return t.ExecuteTemplate(buf, "history_items", list)
		}
		buf.WriteString("<li><span class=\"badge\">")
		buf.WriteString(kind)
		buf.WriteString("</span>\n  <a href=\"")
		buf.WriteString(k.href)
		if k.byRef {
			buf.WriteString(it.Ref)
		} else {
			buf.Write(strconv.AppendInt(num[:0], it.ID, 10))
		}
		buf.WriteString("\">")
		buf.WriteString(k.label)
		buf.WriteString(it.Ref)
		buf.WriteString(k.close)
		// The template's "{{if eq}} ... {{else if}}" chain keeps the line
		// break between a branch and the next "else".
		buf.WriteString("</a>\n  \n  <span class=\"muted\">")
		buf.WriteString(when)
		buf.WriteString(" · ")
		buf.WriteString(status)
		if money != "" {
			buf.WriteString(" · ")
			buf.WriteString(money)
		}
		buf.WriteString("</span></li>\n")
	}
	buf.WriteString("\n</ul>\n")
	if err := t.ExecuteTemplate(buf, "pager", list.Pager); err != nil {
		return err
	}
	buf.WriteString("\n")
	return nil
}

// historyKind is how the template links one kind of history item.
type historyKind struct {
	href, label, close string
	byRef              bool // the link ends in the reference, else the id
}

var historyKinds = map[string]historyKind{
	"order":        {href: "/account/orders/", label: "Order ", byRef: true},
	"invoice":      {href: "/account/invoices/", label: "Invoice ", byRef: true},
	"shipment":     {href: "/account/shipments/", label: "Parcel "},
	"quote":        {href: "/account/quotes/", label: "Quote ", byRef: true},
	"chat":         {href: "/account/chats/", label: "Chat: “", close: "”"},
	"case":         {href: "/account/cases/", label: "Case "},
	"order_change": {href: "/account/orders/", label: "Order ", byRef: true},
	"return":       {href: "/account/returns/", label: "Return "},
}

// plainText reports whether html/template writes s unchanged in HTML
// text: valid UTF-8 without the characters its escaper replaces.
func plainText(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 0, '"', '&', '\'', '+', '<', '>':
			return false
		}
	}
	return utf8.ValidString(s)
}

// plainURL reports whether html/template writes s unchanged as part of a
// URL path in an attribute: letters, digits and "-._~" only.
func plainURL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}
