package web

import (
	"github.com/frontdesk/frontdesk/portal"
	"github.com/gofiber/fiber/v2"
)

// roleRouter registers routes that require one of some roles. The check
// is part of each route, not middleware on a prefix, so that a URL no
// route matches answers 404 to everyone, instead of a sign-in redirect
// (303) or 403 that also tells which prefixes exist.
type roleRouter struct {
	r    fiber.Router
	auth fiber.Handler
}

// withRole returns a router on r whose routes require one of roles.
func (s *Server) withRole(r fiber.Router, roles ...portal.Role) roleRouter {
	return roleRouter{r: r, auth: s.requireRole(roles...)}
}

func (g roleRouter) Get(path string, h ...fiber.Handler) {
	g.r.Get(path, append([]fiber.Handler{g.auth}, h...)...)
}

func (g roleRouter) Post(path string, h ...fiber.Handler) {
	g.r.Post(path, append([]fiber.Handler{g.auth}, h...)...)
}
