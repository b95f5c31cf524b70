package bot

import (
	"regexp"
	"strings"
	"unicode"
)

// orderTopic is what a question about the customer's own orders asks for.
type orderTopic int

const (
	topicNone    orderTopic = iota
	topicStatus             // where is it, when does it arrive
	topicInvoice            // where is my invoice
	topicReturn             // I want to return ...
	topicCancel             // I want to cancel ...
)

// orderQuestion is what the bot read from a message about orders: the
// topic, the references (order, tracking or invoice numbers), an email
// address and words that may name an item bought.
type orderQuestion struct {
	topic orderTopic
	refs  []string
	email string
	// postcode is what may be a postcode: short tokens with a digit that
	// are not references, joined (a guest's contact).
	postcode string
	// items are the content words that may name something bought.
	items []string
	// named are the words after "my" that name something ("my
	// headphones"): when no order holds them, the bot says so.
	named []string
	// onlyRefs is true when the message holds nothing but references
	// (and contact details).
	onlyRefs bool
}

var (
	emailRE = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)
	// refRE is the shape of order, invoice and tracking numbers: an
	// optional letter prefix (NW-, INV-, 1Z...), then mostly digits.
	refRE  = regexp.MustCompile(`^#?(?:[A-Za-z]{1,6}-?)?[0-9][0-9A-Za-z-]{3,34}$`)
	dateRE = regexp.MustCompile(`^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$`)
)

// orderCues are the words of one language that carry an order question:
// one table per locale, read as they are (no patterns). A message is
// read with each table in turn (English first); the first that finds a
// question decides. The answers are composed in English, the one locale
// the portal's pages ship in.
type orderCues struct {
	locale string
	// Words that carry an order question; they are not item names.
	orderNouns, statusCues, invoiceCue, returnCue, cancelCue map[string]bool
	// mine are words of the customer's own; myOrMe ask for something of
	// theirs ("my invoice", "send me"); possessive words start a name of
	// something bought ("my headphones").
	mine, wantCue, myOrMe, possessive map[string]bool
	// notItems are nouns after "my" that are about money or the account,
	// not a parcel: "where is my refund" stays a knowledge-base question.
	notItems map[string]bool
	// stopWords never name an item.
	stopWords map[string]bool
	// problemWords are words of a complaint or a change request: the
	// knowledge base says what to do ("My item arrived damaged", "Can I
	// change my delivery address?").
	problemWords map[string]bool
	// howTo starts a general question ("How do I track my order?").
	howTo []string
	// contact are the words around a guest's order number and contact.
	contact map[string]bool
	// vocabulary is every word above, to tell which language a message
	// is in.
	vocabulary map[string]bool
}

// orderCueTables are the languages order questions are read in: English,
// and German, the language of the demo retailer's home market.
var orderCueTables = []*orderCues{enOrderCues, deOrderCues}

var enOrderCues = &orderCues{
	locale:       "en",
	orderNouns:   wordSet("order orders parcel parcels package packages delivery deliveries shipment shipments purchase purchases item items stuff things thing goods consignment"),
	statusCues:   wordSet("where wheres status arrive arrives arriving arrived arrival come coming came track tracking tracked deliver delivered delivering delivery ship shipped shipping dispatch dispatched eta late delayed delay received receive yet still when whens get here update progress expected"),
	invoiceCue:   wordSet("invoice invoices receipt receipts bill"),
	returnCue:    wordSet("return returning refund exchange"),
	cancelCue:    wordSet("cancel cancelling canceling cancellation"),
	mine:         wordSet("my mine i me i've ive i'm im i'd id we our us"),
	wantCue:      wordSet("want wanna need would like please"),
	myOrMe:       wordSet("my me"),
	possessive:   wordSet("my our"),
	notItems:     wordSet("refund refunds money payment payments account password email address card voucher code discount coupon points data profile subscription newsletter login details name phone number"),
	stopWords:    wordSet("a an the is are was were be been to of for in on at by with from and or but it its this that these those there here what which who how do does did can could will would should shall may might have has had not no yes any some all just so very much many please hi hello hey thanks thank you your yours am about into out up down over again today tomorrow now then than also too soon already is it's isn't hasn't haven't didn't don't doesn't won't wont cant can't whats what's where's"),
	problemWords: wordSet("damaged broken wrong faulty defective missing stolen lost says said shows marked change changing edit modify add address"),
	howTo:        []string{"how do i ", "how can i ", "how should i ", "how to ", "how does ", "how long ", "how much ", "do you ", "can you ship", "what is your ", "what's your ", "what are your "},
	contact:      wordSet("order number no nr email e mail postcode post code zip zipcode postal is my and it its the with address ordered placed tracking track invoice parcel package shipment here please thanks thank you hi hello"),
}

var deOrderCues = &orderCues{
	locale:       "de",
	orderNouns:   wordSet("bestellung bestellungen paket pakete paketen päckchen lieferung lieferungen sendung sendungen ware waren artikel einkauf einkäufe kauf sachen"),
	statusCues:   wordSet("wo wann status stand ankommen ankommt kommt kommen angekommen ankunft liefern geliefert liefert lieferung zugestellt zustellung versendet verschickt versand unterwegs verfolgen sendungsverfolgung erhalten bekommen verspätet verspätung noch immer"),
	invoiceCue:   wordSet("rechnung rechnungen quittung beleg"),
	returnCue:    wordSet("zurückgeben zurückschicken zurücksenden rücksendung retoure retournieren umtauschen umtausch"),
	cancelCue:    wordSet("stornieren storniere storniert stornierung storno abbestellen"),
	mine:         wordSet("mein meine meinen meinem meiner meines ich mir mich wir unser unsere unseren unserer"),
	wantCue:      wordSet("möchte möchten will wollen würde gerne gern bitte brauche"),
	myOrMe:       wordSet("mein meine meinen meinem meiner meines mir mich"),
	possessive:   wordSet("mein meine meinen meinem meiner meines unser unsere unseren unserer"),
	notItems:     wordSet("erstattung rückerstattung geld zahlung konto passwort email adresse karte gutschein code rabatt punkte daten profil abo newsletter login name telefonnummer nummer"),
	stopWords:    wordSet("der die das den dem des ein eine einen einem einer eines ist sind war waren sein bin zu zum zur von vom für in im an am auf bei mit aus und oder aber es dies diese dieser dieses dass da hier was welche welcher wer wie kann können könnte wird werden würde soll sollte haben hat hatte habe nicht kein keine ja nein so sehr viel bitte hallo hi danke schon jetzt heute morgen bald auch denn doch mal eigentlich endlich"),
	problemWords: wordSet("beschädigt kaputt defekt falsch falsche falschen falsches fehlt fehlen verloren gestohlen ändern ändere änderung adresse lieferadresse"),
	howTo:        []string{"wie kann ich ", "wie lange ", "wie viel ", "wie funktioniert ", "wie verfolge ", "wie storniere ", "wie gebe ", "wie schicke ", "liefern sie ", "liefert ihr ", "versenden sie ", "versendet ihr ", "was kostet ", "was sind ihre ", "was ist ihre "},
	contact:      wordSet("bestellung bestellnummer nummer nr email e mail postleitzahl plz adresse bestellt sendungsnummer rechnung paket sendung ist meine mein und hier bitte danke hallo"),
}

// contactWord are the words around a guest's order number and contact, in
// every language read.
var contactWord = map[string]bool{}

// init gathers each table's vocabulary and every table's contact words.
func init() {
	for _, c := range orderCueTables {
		c.vocabulary = map[string]bool{}
		for _, set := range []map[string]bool{c.orderNouns, c.statusCues, c.invoiceCue, c.returnCue, c.cancelCue, c.mine, c.wantCue,
			c.myOrMe, c.possessive, c.notItems, c.stopWords, c.problemWords, c.contact} {
			for w := range set {
				c.vocabulary[w] = true
			}
		}
		for w := range c.contact {
			contactWord[w] = true
		}
	}
}

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// parseOrderQuestion reads a message for an order question. ok is false
// when it is no such question (a knowledge-base question, or small talk).
// It is deliberately general: a reference number of the right shape, or
// words about the customer's own orders together with a cue for what
// they want ("where is my parcel", "when will my lamp arrive", "my
// invoice", "I want to cancel"). General questions ("How long does a
// refund take?", "Do you ship to Austria?", "How do I track my order?")
// stay with the knowledge base.
func parseOrderQuestion(text string) (orderQuestion, bool) {
	var q orderQuestion
	if len(text) > 2000 {
		text = text[:2000]
	}
	var words []string
	phraseEnd := map[int]bool{} // words that end a phrase (before a comma, say)
	other := 0
	var digitTokens []string
	for _, raw := range strings.Fields(text) {
		tok := strings.TrimFunc(raw, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '#' && r != '@'
		})
		tok = strings.TrimLeft(tok, "@")
		if tok == "" {
			continue
		}
		switch {
		case strings.Contains(tok, "@") && emailRE.MatchString(tok):
			q.email = tok
			continue
		case isRef(tok):
			q.refs = appendUnique(q.refs, strings.TrimPrefix(tok, "#"))
			continue
		}
		if strings.IndexFunc(tok, unicode.IsDigit) >= 0 && len(tok) >= 3 && len(tok) <= 10 && !dateRE.MatchString(tok) {
			digitTokens = append(digitTokens, tok)
		}
		for _, w := range strings.FieldsFunc(strings.ToLower(tok), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
		}) {
			words = append(words, strings.ReplaceAll(w, "'", ""))
			if !contactWord[w] {
				other++
			}
		}
		if last := raw[len(raw)-1]; last == ',' || last == '.' || last == '?' || last == '!' || last == ';' || last == ':' {
			phraseEnd[len(words)-1] = true
		}
	}
	if len(digitTokens) > 0 && len(digitTokens) <= 2 {
		q.postcode = strings.Join(digitTokens, " ")
	}
	q.onlyRefs = len(q.refs) > 0 && other == 0
	// The language the message uses most words of reads it first: a
	// German "Rechnung zu NW-10000345" is about the invoice, which the
	// English table (seeing only a number) would read as a status question.
	best, bestHits := 0, -1
	for i, c := range orderCueTables {
		if h := c.hits(words); h > bestHits {
			best, bestHits = i, h
		}
	}
	if r, ok := orderCueTables[best].read(q, words, phraseEnd); ok {
		return r, true
	}
	for i, c := range orderCueTables {
		if i == best {
			continue
		}
		if r, ok := c.read(q, words, phraseEnd); ok {
			return r, true
		}
	}
	return q, false
}

// hits counts the words of the message that are words of this language.
func (c *orderCues) hits(words []string) int {
	n := 0
	for _, w := range words {
		if c.vocabulary[w] {
			n++
		}
	}
	return n
}

// read finds an order question in a message's words (lower case) with
// one language's cue words; q holds what was read regardless of language
// (references, email, postcode).
func (c *orderCues) read(q orderQuestion, words []string, phraseEnd map[int]bool) (orderQuestion, bool) {
	has := func(set map[string]bool) bool {
		for _, w := range words {
			if set[w] || set[strings.TrimSuffix(w, "s")] {
				return true
			}
		}
		return false
	}
	lower := " " + strings.Join(words, " ") + " "
	procedural := false
	for _, h := range c.howTo {
		if strings.HasPrefix(strings.TrimSpace(lower)+" ", h) {
			procedural = true
		}
	}
	personal := has(c.mine)
	// "my X": the words after "my" may name items ("my headphones").
	var myNouns []string
	for i, w := range words {
		if c.possessive[w] {
			for j := i + 1; j < len(words) && j <= i+3; j++ {
				if c.stopWords[words[j]] || c.statusCues[words[j]] && !c.orderNouns[words[j]] {
					break
				}
				myNouns = append(myNouns, words[j])
				if phraseEnd[j] {
					break
				}
			}
		}
	}
	aboutMoney := false
	for _, n := range myNouns {
		if c.notItems[n] {
			aboutMoney = true
		} else if !c.orderNouns[n] && !c.statusCues[n] && !contactWord[n] && len(n) > 2 {
			q.named = appendUnique(q.named, n)
		}
	}
	nouns := has(c.orderNouns)
	if has(c.problemWords) && len(q.refs) == 0 {
		return q, false
	}
	switch {
	case has(c.cancelCue) && (personal || len(q.refs) > 0) && !procedural:
		q.topic = topicCancel
	case has(c.returnCue) && (has(c.wantCue) || len(myNouns) > 0 || len(q.refs) > 0) && (personal || len(q.refs) > 0) && !procedural && !(aboutMoney && !nouns):
		q.topic = topicReturn
	case has(c.invoiceCue) && (has(c.myOrMe) || len(q.refs) > 0) && !procedural:
		q.topic = topicInvoice
	case len(q.refs) > 0:
		q.topic = topicStatus
	case procedural:
		return q, false
	case personal && has(c.statusCues) && (nouns || len(myNouns) > 0) && !(aboutMoney && !nouns):
		q.topic = topicStatus
	default:
		return q, false
	}
	for _, w := range words {
		if !c.stopWords[w] && !c.orderNouns[w] && !c.statusCues[w] && !c.invoiceCue[w] && !c.returnCue[w] && !c.cancelCue[w] && !c.mine[w] && !c.wantCue[w] &&
			!contactWord[w] && len(w) > 2 && strings.IndexFunc(w, unicode.IsDigit) < 0 {
			q.items = appendUnique(q.items, w)
		}
	}
	return q, true
}

// isRef reports whether tok has the shape of an order, invoice or
// tracking number: at least five digits (six when all digits, which a
// postcode never has) and no date.
func isRef(tok string) bool {
	if !refRE.MatchString(tok) || dateRE.MatchString(tok) {
		return false
	}
	digits, letters := 0, 0
	for _, r := range tok {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case unicode.IsLetter(r):
			letters++
		}
	}
	if letters == 0 {
		return digits >= 6 || strings.HasPrefix(tok, "#") && digits >= 4
	}
	return digits >= 5
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return list
		}
	}
	return append(list, s)
}

// itemMatches reports whether an item's name contains one of the words,
// singular or plural.
func itemMatches(name string, words []string) bool {
	if len(words) == 0 {
		return false
	}
	for _, nw := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		for _, w := range words {
			if stem(nw) == stem(w) {
				return true
			}
		}
	}
	return false
}

func stem(w string) string {
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "es") && len(w) > 4 && strings.ContainsAny(w[len(w)-3:len(w)-2], "sxz"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && len(w) > 3:
		return w[:len(w)-1]
	}
	return w
}
