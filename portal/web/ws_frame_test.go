package web_test

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"
)

// A WebSocket frame codec (RFC 6455 section 5) for the tests that speak
// to the chat frame by frame, with what no library client sends.

type opCode byte

const (
	opContinuation opCode = 0x0
	opText         opCode = 0x1
	opBinary       opCode = 0x2
	opClose        opCode = 0x8
	opPing         opCode = 0x9
	opPong         opCode = 0xa
)

// wsFrame is a frame the server sent.
type wsFrame struct {
	op      opCode
	fin     bool
	payload []byte
}

// frameHeader encodes a frame header announcing length payload bytes,
// with a mask key when masked (returned, to mask the payload with).
func frameHeader(op opCode, fin, masked bool, length int) ([]byte, [4]byte) {
	b0 := byte(op)
	if fin {
		b0 |= 0x80
	}
	h := []byte{b0, 0}
	switch {
	case length < 126:
		h[1] = byte(length)
	case length <= 0xffff:
		h[1] = 126
		h = binary.BigEndian.AppendUint16(h, uint16(length))
	default:
		h[1] = 127
		h = binary.BigEndian.AppendUint64(h, uint64(length))
	}
	var key [4]byte
	if masked {
		h[1] |= 0x80
		rand.Read(key[:])
		h = append(h, key[:]...)
	}
	return h, key
}

// encodeFrame encodes a whole frame, masked as clients must unless not.
func encodeFrame(op opCode, fin, masked bool, payload []byte) []byte {
	h, key := frameHeader(op, fin, masked, len(payload))
	b := append(h, payload...)
	if masked {
		p := b[len(h):]
		for i := range p {
			p[i] ^= key[i%4]
		}
	}
	return b
}

// closeBody is a close frame's payload: the code, then the reason.
func closeBody(code uint16, reason string) string {
	return string(binary.BigEndian.AppendUint16(nil, code)) + reason
}

// readFrame reads one frame the server sent (servers do not mask).
func readFrame(r io.Reader) (wsFrame, error) {
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return wsFrame{}, err
	}
	f := wsFrame{op: opCode(h[0] & 0x0f), fin: h[0]&0x80 != 0}
	if h[1]&0x80 != 0 {
		return f, errors.New("server sent a masked frame")
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return f, err
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return f, err
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	if n > 16<<20 {
		return f, errors.New("server frame over 16 MiB")
	}
	f.payload = make([]byte, n)
	_, err := io.ReadFull(r, f.payload)
	return f, err
}
