package web

import (
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/auth"
	"github.com/gofiber/fiber/v2"
)

type tokensPage struct {
	Tokens   []*portal.APIToken
	Scopes   []string
	NewToken string
	Error    string
}

func (s *Server) renderTokens(c *fiber.Ctx, status int, p tokensPage) error {
	toks, err := s.store.FindAPITokens(c.UserContext())
	if err != nil {
		return err
	}
	p.Tokens, p.Scopes = toks, portal.Scopes
	return s.render(c, status, "admin_tokens", "API tokens", p)
}

func (s *Server) handleTokenList(c *fiber.Ctx) error {
	return s.renderTokens(c, fiber.StatusOK, tokensPage{})
}

// handleTokenCreate makes a token and shows it once; only its hash is kept.
func (s *Server) handleTokenCreate(c *fiber.Ctx) error {
	var scopes []string
	for _, v := range c.Request().PostArgs().PeekMulti("scope") {
		scopes = append(scopes, string(v))
	}
	secret := "fdk_" + auth.NewToken()
	t := &portal.APIToken{Name: strings.TrimSpace(c.FormValue("name")), Prefix: secret[:10], Hash: auth.HashToken(secret), Scopes: scopes, CreatedBy: currentUser(c).ID}
	if err := s.store.CreateAPIToken(c.UserContext(), t); portal.ErrorCode(err) == portal.EINVALID {
		return s.renderTokens(c, fiber.StatusBadRequest, tokensPage{Error: portal.ErrorMessage(err)})
	} else if err != nil {
		return err
	}
	s.audit(c, "api_token.create", "api_token", strconv.FormatInt(t.ID, 10), t.Name+" "+strings.Join(t.Scopes, ","))
	return s.renderTokens(c, fiber.StatusOK, tokensPage{NewToken: secret})
}

func (s *Server) handleTokenRevoke(c *fiber.Ctx) error {
	id, _ := strconv.ParseInt(c.Params("id"), 10, 64)
	if err := s.store.RevokeAPIToken(c.UserContext(), id, s.now()); err != nil {
		return err
	}
	s.audit(c, "api_token.revoke", "api_token", c.Params("id"), "")
	s.setFlash(c, "ok", "Token revoked.")
	return c.Redirect("/admin/tokens", fiber.StatusSeeOther)
}
