package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/frontdesk/frontdesk/portal"
	"github.com/frontdesk/frontdesk/portal/auth"
)

// runUser handles "user create", so that a real deployment can start with
// an admin and no demo data.
func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(stderr, "usage: frontdesk user create --email E --role customer|agent|editor|manager|admin [--name N] [--password P]")
		return errUsage
	}
	var email, role, name, password string
	cfg, _, err := parseFlags("user create", args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "email address (required)")
		fs.StringVar(&role, "role", "customer", "customer, agent, editor, manager or admin")
		fs.StringVar(&name, "name", "", "display name")
		fs.StringVar(&password, "password", "", "password; generated and printed when empty")
	})
	if err != nil {
		return err
	}
	generated := password == ""
	if generated {
		password = auth.NewToken()[:20]
	}
	if err := auth.ValidatePassword(password); err != nil {
		return fmt.Errorf("%s", portal.ErrorMessage(err))
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	s, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	u := &portal.User{Email: email, Name: name, Role: portal.Role(role), PasswordHash: hash}
	if err := s.CreateUser(ctx, u); err != nil {
		return fmt.Errorf("%s", portal.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "Created %s %s (id %d).\n", u.Role, u.Email, u.ID)
	if generated {
		fmt.Fprintf(stdout, "Password: %s\n", password)
	}
	return nil
}
