package bot

import (
	"strings"
	"testing"
)

func TestParseOrderQuestion(t *testing.T) {
	tests := []struct {
		text  string
		topic orderTopic
		refs  string
		items string
	}{
		{"where is my order", topicStatus, "", ""},
		{"Where is order NW-10000345?", topicStatus, "NW-10000345", ""},
		{"nw-10000345", topicStatus, "nw-10000345", ""},
		{"When will my headphones arrive?", topicStatus, "", "headphones"},
		{"has my parcel shipped yet??", topicStatus, "", ""},
		{"What's the status of my order #123456", topicStatus, "123456", ""},
		{"I haven't received my package", topicStatus, "", ""},
		{"DH0123456789", topicStatus, "DH0123456789", ""},
		{"tracking 1Z999AA10123456784 please", topicStatus, "1Z999AA10123456784", ""},
		{"where is my invoice", topicInvoice, "", ""},
		{"Where can I find my invoice?", topicInvoice, "", ""},
		{"send me the invoice for NW-10000345", topicInvoice, "NW-10000345", ""},
		{"I want to return my headphones", topicReturn, "", "headphones"},
		{"I'd like to cancel my order", topicCancel, "", ""},
		{"cancel NW-10000345", topicCancel, "NW-10000345", ""},
		{"Wo ist meine Bestellung NW-10000345?", topicStatus, "NW-10000345", ""},
		// German, the demo retailer's home market.
		{"Wo ist meine Bestellung?", topicStatus, "", ""},
		{"Wann kommt mein Paket an?", topicStatus, "", ""},
		{"Wann kommen meine Kopfhörer?", topicStatus, "", "kopfhörer"},
		{"Ich habe meine Lieferung noch nicht erhalten", topicStatus, "", ""},
		{"Wo finde ich meine Rechnung?", topicInvoice, "", ""},
		{"Rechnung zu NW-10000345 bitte", topicInvoice, "NW-10000345", ""},
		{"Ich möchte meine Kopfhörer zurückgeben", topicReturn, "", "kopfhörer"},
		{"Ich möchte meine Bestellung stornieren", topicCancel, "", ""},
		{"NW-10000345 stornieren", topicCancel, "NW-10000345", ""},
	}
	for _, tt := range tests {
		q, ok := parseOrderQuestion(tt.text)
		if !ok || q.topic != tt.topic || strings.Join(q.refs, ",") != tt.refs || tt.items != "" && strings.Join(q.items, ",") != tt.items {
			t.Errorf("%q: ok=%v topic=%d refs=%q items=%q, want topic %d refs %q items %q", tt.text, ok, q.topic, q.refs, q.items, tt.topic, tt.refs, tt.items)
		}
	}
}

// The knowledge base answers general questions, even about orders.
func TestParseOrderQuestionLeavesFAQ(t *testing.T) {
	for _, text := range []string{
		"How long does a refund take?", "Do you ship to Austria?", "Can I pay by invoice?", "How do I track my order?",
		"When will I get my refund?", "How long does delivery take?", "My item arrived damaged", "I received the wrong item",
		"My parcel says delivered but I do not have it", "Can I change my delivery address?", "How do I return an item?",
		"Can I exchange an item for another size or colour?", "Why was my payment declined?", "I forgot my password",
		"Which countries do you ship to?", "Do you deliver on weekends?", "What are your opening hours?", "hello", "",
		"🙂🙂🙂", "Do you deliver to 10115?", "Can I collect my order from a pickup point?", "Why was my order cancelled?",
		"How do I change my email address?", "Are returns free?", "I was charged twice on 2024-05-01",
		"Wie lange dauert die Lieferung?", "Wie kann ich meine Bestellung verfolgen?", "Liefern Sie nach Österreich?",
		"Wie lange dauert eine Rückerstattung?", "Mein Paket kam beschädigt an", "Wann bekomme ich meine Rückerstattung?",
		"Wie kann ich meine Lieferadresse ändern?", "Hallo", "Kann ich auf Rechnung zahlen?",
	} {
		if q, ok := parseOrderQuestion(text); ok {
			t.Errorf("%q read as an order question (topic %d, refs %q)", text, q.topic, q.refs)
		}
	}
}

func TestParseOrderQuestionContact(t *testing.T) {
	q, _ := parseOrderQuestion("order NW-10000345, postcode SW1A 1AA")
	if q.postcode != "SW1A 1AA" || len(q.refs) != 1 {
		t.Fatalf("postcode %q refs %q", q.postcode, q.refs)
	}
	q, _ = parseOrderQuestion("NW-10000345 ada@example.com")
	if q.email != "ada@example.com" || !q.onlyRefs {
		t.Fatalf("email %q onlyRefs %v", q.email, q.onlyRefs)
	}
	if q, ok := parseOrderQuestion("10115"); ok || q.postcode != "10115" {
		t.Fatalf("a postcode alone: ok=%v postcode %q", ok, q.postcode)
	}
}

func TestItemMatches(t *testing.T) {
	if !itemMatches("Wireless headphones", []string{"headphone"}) || !itemMatches("Oak dining chair", []string{"chairs"}) {
		t.Fatal("item not matched")
	}
	if itemMatches("Arc floor lamp", []string{"headphones"}) {
		t.Fatal("wrong item matched")
	}
}

// BenchmarkParseOrderQuestion is the cost every chat message pays to be
// read for an order question.
func BenchmarkParseOrderQuestion(b *testing.B) {
	qs := []string{"How long does a refund take?", "Where is order NW-10000345?", "When will my headphones arrive?", "Do you ship to Austria?"}
	for i := 0; i < b.N; i++ {
		parseOrderQuestion(qs[i%len(qs)])
	}
}
