package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"sync"
)

// signer makes the HMAC-SHA256 signatures of CSRF tokens and signed
// cookies. Building an HMAC costs two hashes and their key pads (about
// 0.6 KiB of garbage), and every chat socket's handshake signs twice, so
// the hashes are reused.
type signer struct {
	pool sync.Pool
}

type signState struct {
	mac hash.Hash
	buf []byte
	sum [sha256.Size]byte
}

func newSigner(key []byte) *signer {
	key = append([]byte(nil), key...)
	g := &signer{}
	g.pool.New = func() any { return &signState{mac: hmac.New(sha256.New, key)} }
	return g
}

// sign returns msg's signature, base64url without padding.
func (g *signer) sign(msg string) string {
	st := g.pool.Get().(*signState)
	st.mac.Reset()
	st.buf = append(st.buf[:0], msg...)
	st.mac.Write(st.buf)
	out := base64.RawURLEncoding.EncodeToString(st.mac.Sum(st.sum[:0]))
	if cap(st.buf) > 1024 {
		st.buf = nil // a rare long message need not stay in the pool
	}
	g.pool.Put(st)
	return out
}
