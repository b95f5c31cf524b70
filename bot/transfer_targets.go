package bot

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/frontdesk/frontdesk/portal"
)

// TransferTargets returns the agents a chat can be transferred to now:
// available (chosen status, a live socket on some node), enabled, not
// except; by name. Every queue an agent's console receives carries them,
// and a presence change sends the queue again, so the transfer list
// follows agents coming and going.
func (e *Engine) TransferTargets(ctx context.Context, except int64) ([]AgentRef, error) {
	avail, err := e.availableAgents(ctx, except)
	if err != nil {
		return nil, err
	}
	out := []AgentRef{}
	for id := range avail {
		u, err := e.cfg.Users.FindUserByID(ctx, id)
		if portal.ErrorCode(err) == portal.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		// As Transfer accepts them.
		if u.DisabledAt != nil || u.Role != portal.RoleAgent && !Supervises(u) {
			continue
		}
		out = append(out, AgentRef{ID: u.ID, Name: firstNonEmpty(u.Name, u.Email)})
	}
	slices.SortFunc(out, func(a, b AgentRef) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}
