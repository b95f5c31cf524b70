package web

import (
	"reflect"
)

// configuratorOpenAPI documents the configurator's JSON API, which the
// configurator page calls with the browser session (CSRF token in
// X-CSRF-Token); quotes need a signed-in customer.
func configuratorOpenAPI(paths map[string]any, ref func(reflect.Type) map[string]any, errResp map[string]any) {
	slug := []any{map[string]any{"name": "slug", "in": "path", "required": true, "schema": map[string]any{"type": "string"}}}
	body := map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": ref(reflect.TypeOf(configRequest{}))}}}
	ok := func(desc string, t reflect.Type) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": ref(t)}}}
	}
	for _, op := range []struct {
		name, summary string
		status        string
		resp          map[string]any
	}{
		{"evaluate", "Every option's state (available, forced, the reason when not) and the price breakdown under the choices. A version other than the current one is 409; an unknown option 400.", "200", ok("State", reflect.TypeOf(stateJSON{}))},
		{"repair", "The smallest set of earlier choices to drop so that want becomes possible, and the choices after the change.", "200", ok("Repair", reflect.TypeOf(repairJSON{}))},
		{"complete", "The choices completed with the cheapest valid configuration (use_defaults: the editor's recommendations first).", "200", ok("State", reflect.TypeOf(stateJSON{}))},
		{"quotes", "Save the finished configuration as a quote of the signed-in customer.", "201", map[string]any{"description": "Quote saved"}},
	} {
		paths["/api/v1/configurator/{slug}/"+op.name] = map[string]any{"post": map[string]any{
			"operationId": "configurator_" + op.name, "summary": op.summary, "parameters": slug, "requestBody": body,
			"responses": map[string]any{op.status: op.resp, "400": errResp, "401": errResp, "404": errResp, "409": errResp},
		}}
	}
}
