package web_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/portal"
)

// upload posts a file as the import form does; accept picks the answer
// (the page's script asks for JSON).
func (c *client) upload(path, name, content, accept string) *response {
	c.tb.Helper()
	if c.csrf == "" {
		c.get("/")
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("_csrf", c.csrf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write([]byte(content))
	mw.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return c.do(req)
}

func TestEditorImportExport(t *testing.T) {
	eachStore(t, func(t *testing.T, s portal.Store) {
		srv := MustServer(t, s)
		ed := MustUser(t, s, portal.RoleEditor, "ed@example.com")
		cat := &portal.Category{Name: "Returns"}
		if err := s.CreateCategory(ctx(), cat); err != nil {
			t.Fatal(err)
		}
		pub := &portal.Article{Title: "Rücksendung", Summary: "30 Tage.", Body: "**Schritte**", CategoryID: &cat.ID, Tags: []string{"refund", "returns"},
			Phrasings: []string{"zurückschicken", "send back"}, Locale: "de", Status: portal.ArticlePublished, AuthorID: &ed.ID}
		draft := &portal.Article{Title: "Gift cards, \"soon\"", Summary: "Line one\nline two", Status: portal.ArticleDraft, AuthorID: &ed.ID}
		for _, a := range []*portal.Article{pub, draft} {
			if err := s.CreateArticle(ctx(), a); err != nil {
				t.Fatal(err)
			}
		}
		c := newClient(t, srv)
		c.login("ed@example.com")
		c.get("/editor/articles/transfer")
		snapshot := func() []*portal.Article {
			arts, _, err := s.FindArticles(ctx(), portal.ArticleFilter{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			return arts
		}
		before := snapshot()

		for _, format := range []string{"jsonl", "csv"} {
			t.Run("ExportImportedAgainChangesNothing/"+format, func(t *testing.T) {
				res := c.get("/editor/articles/export?format=" + format)
				wantStatus(t, res, 200)
				if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.HasSuffix(cd, "."+format+`"`) {
					t.Fatalf("Content-Disposition %q", cd)
				}
				res = c.upload("/editor/articles/import", "articles."+format, res.body, "")
				wantStatus(t, res, 200)
				wantBody(t, res, "0 new, 0 updated, 2 unchanged")
				after := snapshot()
				for i, a := range after {
					b := before[i]
					if a.ID != b.ID || a.Version != 1 || a.Status != b.Status || a.Locale != b.Locale || !slices.Equal(a.Tags, b.Tags) ||
						!slices.Equal(a.Phrasings, b.Phrasings) || (a.CategoryID == nil) != (b.CategoryID == nil) || a.Summary != b.Summary || a.Body != b.Body {
						t.Fatalf("after re-import\n%+v\nwas\n%+v", a, b)
					}
					if revs, _ := s.FindArticleRevisions(ctx(), a.ID); len(revs) != 1 {
						t.Fatalf("%q has %d revisions", a.Title, len(revs))
					}
				}
			})
		}
		t.Run("FilteredExport", func(t *testing.T) {
			res := c.get("/editor/articles/export?format=jsonl&status=draft")
			wantStatus(t, res, 200)
			if lines := strings.Split(strings.TrimSpace(res.body), "\n"); len(lines) != 1 || !strings.Contains(lines[0], `"status":"draft"`) {
				t.Fatalf("draft export %q", res.body)
			}
			wantStatus(t, c.get("/editor/articles/export?format=xml"), 400)
		})
		t.Run("ImportCreatesAndUpdates", func(t *testing.T) {
			res := c.upload("/editor/articles/import", "new.jsonl", `{"id":"shipping","title":"Shipping costs","summary":"€4.95","body":"","phrasings":["postage"],"tags":["fees"],"category":"Delivery","locale":"en"}
{"id":"`+pub.Slug+`","title":"Rücksendung","summary":"60 Tage.","body":"**Schritte**","phrasings":["zurückschicken","send back"],"tags":["refund","returns"],"category":"Returns","locale":"de","status":"published"}
`, "application/json")
			wantStatus(t, res, 200)
			var got struct{ Created, Updated, Unchanged int }
			if err := json.Unmarshal([]byte(res.body), &got); err != nil || got.Created != 1 || got.Updated != 1 || got.Unchanged != 0 {
				t.Fatalf("import result %s", res.body)
			}
			if revs, _ := s.FindArticleRevisions(ctx(), pub.ID); len(revs) != 2 {
				t.Fatalf("updated article has %d revisions", len(revs))
			}
		})
		t.Run("ABrokenLineImportsNothing", func(t *testing.T) {
			n := len(snapshot())
			file := `{"id":"fine","title":"Fine"}
{"id":"broken", "title":
{"id":"empty","title":"  "}
{"id":"bad-status","title":"Odd","status":"gone"}
`
			res := c.upload("/editor/articles/import", "bad.jsonl", file, "")
			wantStatus(t, res, 422)
			wantBody(t, res, "Nothing was imported")
			wantBody(t, res, "Line 2: not a valid article object")
			// Once line 2 parses, validation names the others.
			res = c.upload("/editor/articles/import", "bad.jsonl", strings.Replace(file, `"title":`+"\n", `"title":"ok"}`+"\n", 1), "application/json")
			wantStatus(t, res, 422)
			var got struct {
				Lines []struct {
					Line    int
					Message string
				}
			}
			if err := json.Unmarshal([]byte(res.body), &got); err != nil || len(got.Lines) != 2 || got.Lines[0].Line != 3 || got.Lines[1].Line != 4 {
				t.Fatalf("line errors %s", res.body)
			}
			if len(snapshot()) != n {
				t.Fatal("something was imported")
			}
			wantStatus(t, c.upload("/editor/articles/import", "a.csv", "name,body\nx,y\n", ""), 422)
			wantStatus(t, c.upload("/editor/articles/import", "empty.jsonl", "", ""), 422)
			wantStatus(t, c.post("/editor/articles/import", url.Values{}), 400)
		})
		t.Run("CustomersCannotImportOrExport", func(t *testing.T) {
			MustUser(t, s, portal.RoleCustomer, "ada@example.com")
			cu := newClient(t, srv)
			cu.login("ada@example.com")
			if res := cu.get("/editor/articles/export"); res.StatusCode != 403 && res.StatusCode != 404 {
				t.Fatalf("customer export: %d", res.StatusCode)
			}
		})
	})
}
