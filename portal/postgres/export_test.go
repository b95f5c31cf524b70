package postgres

// SetBeforeReconnect makes b run fn before each attempt to listen again.
func SetBeforeReconnect(b *Bus, fn func()) {
	b.mu.Lock()
	b.beforeReconnect = fn
	b.mu.Unlock()
}
