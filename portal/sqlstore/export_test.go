package sqlstore

import "github.com/frontdesk/frontdesk/portal"

// SetAppendHook makes s call hook before each message's statements; an
// error from hook fails the statement. Set it before appending.
func SetAppendHook(s *Store, hook func(m *portal.Message, batched bool) error) { s.appends.hook = hook }

// SetWriters sets how many transactions the group commit runs at once.
func SetWriters(s *Store, n int) { s.appends.writers = n }

// PendingAppends counts the appends waiting for a transaction.
func PendingAppends(s *Store) int {
	s.appends.mu.Lock()
	defer s.appends.mu.Unlock()
	return len(s.appends.pending)
}
