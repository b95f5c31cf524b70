package web

import (
	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// handleAPISearch answers GET /api/v1/search?q=...: the FAQ search as JSON,
// with the same code as the results page. as_you_type=1 prefix-matches the
// last word; log=1 records the query for the content-gap report (the
// search box sends it once the reader pauses, not on every keystroke).
func (s *Server) handleAPISearch(c *fiber.Ctx) error {
	res, err := s.faqSearch(c, c.Query("q"), c.Query("category"), pageParam(c), c.QueryBool("as_you_type"))
	if err != nil {
		return err
	}
	if c.QueryBool("log") {
		s.logSearch(c, &portal.SearchLogEntry{Query: res.Query, Hits: int(res.Total), Source: "api"})
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(res)
}

// searchOpenAPI documents GET /api/v1/search.
func searchOpenAPI(errResp map[string]any) map[string]any {
	str := map[string]any{"type": "string"}
	num := map[string]any{"type": "number"}
	param := func(name, desc string, schema map[string]any) map[string]any {
		return map[string]any{"name": name, "in": "query", "description": desc, "schema": schema}
	}
	hit := map[string]any{"type": "object", "required": []string{"id", "title", "summary", "url", "score"}, "properties": map[string]any{
		"id": str, "title": str, "summary": str, "category": str, "url": str, "score": num,
		"highlights": map[string]any{"type": "object", "description": "title, summary or body fragments: escaped text with matches in <mark>.",
			"additionalProperties": map[string]any{"type": "array", "items": str}},
	}}
	return map[string]any{"get": map[string]any{
		"operationId": "search_faq",
		"summary":     "Search published FAQ articles (no authentication). The help pages use the same search.",
		"parameters": []any{
			map[string]any{"name": "q", "in": "query", "required": true, "schema": str},
			param("category", "Only articles in this category.", str),
			param("locale", "Locale of the articles; default en.", str),
			param("page", "Page of 10 hits, from 1.", map[string]any{"type": "integer"}),
			param("as_you_type", "1 prefix-matches the last word.", map[string]any{"type": "boolean"}),
			param("log", "1 records the query for the editors' content-gap report.", map[string]any{"type": "boolean"}),
		},
		"responses": map[string]any{"200": map[string]any{"description": "Hits, best first", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{
			"type": "object", "required": []string{"query", "total", "hits"}, "properties": map[string]any{
				"query": str, "total": map[string]any{"type": "integer"}, "took_ms": num, "hits": map[string]any{"type": "array", "items": hit},
				"categories": map[string]any{"type": "array", "items": map[string]any{"type": "object", "properties": map[string]any{"category": str, "count": map[string]any{"type": "integer"}}}},
			}}}}}, "400": errResp},
	}}
}
