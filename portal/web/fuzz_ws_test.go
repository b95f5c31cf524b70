package web_test

import (
	"testing"

	"github.com/frontdesk/frontdesk/portal/web"
)

// FuzzChatSocketBytes writes arbitrary bytes to a chat socket after the
// upgrade (frames, fragments, control frames, lengths, masks, junk): the
// WebSocket frame reader never takes the server down, and the next
// socket is still served.
func FuzzChatSocketBytes(f *testing.F) {
	cs := mustChatServer(f, func(c *web.Config) { c.ChatSocketsPerVisitor, c.ChatSocketsPerIP, c.MaxConnsPerIP = -1, -1, -1 })
	for _, s := range [][]byte{
		text(`{"type":"hello"}`),
		append(frame(opText, false, `{"type":`), frame(opContinuation, true, `"ping"}`)...),
		frame(opPing, true, "x"), frame(opClose, true, "\x03"), frame(opClose, true, "\x03\xe8bye"),
		frame(opBinary, true, "\x00\x01"), frame(opContinuation, true, "stray"),
		{0x81, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4},
		{0x81, 0x05, 'h', 'e', 'l', 'l', 'o'}, // unmasked
		text("{\"type\":\"send\",\"id\":\"1\",\"text\":\"\xff\"}"),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := cs.dial(t, nil) // fails the test if the server is gone
		r.c.Write(b)
		r.c.Close()
	})
}
