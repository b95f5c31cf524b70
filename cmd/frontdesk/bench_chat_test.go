package main

import (
	"encoding/json"
	"testing"
)

func TestParseBenchFrame(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"ack", `{"type":"ack","id":"127.0.0.2-7","conversation_id":3,"seq":5}`},
		{"bot message with meta", `{"type":"message","conversation_id":3,"seq":6,"author":"bot","text":"Standard \"delivery\" takes {3} days, [ok]","meta":{"links":[{"title":"Delivery, times","url":"/help/articles/2-delivery","id":"x"}]},"at":"2026-03-01T09:30:00Z"}`},
		{"customer echo", `{"type":"message","conversation_id":3,"seq":5,"id":"127.0.0.2-7","author":"customer","text":"How?","at":"2026-03-01T09:30:00Z"}`},
		{"spaces", ` { "type" : "error" , "code" : "rate_limited" , "id" : "a" } `},
		{"escaped id", `{"type":"message","id":"a\"b","seq":1}`},
		{"seq last", `{"author":"agent","seq":42}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got, want benchFrame
			if err := json.Unmarshal([]byte(tt.in), &want); err != nil {
				t.Fatal(err)
			}
			if err := parseBenchFrame([]byte(tt.in), &got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("got %+v, want %+v", got, want)
			}
		})
	}
	var f benchFrame
	if err := parseBenchFrame([]byte(`{"type":`), &f); err == nil {
		t.Fatal("truncated frame parsed")
	}
}

func BenchmarkParseBenchFrame(b *testing.B) {
	frame := []byte(`{"type":"message","conversation_id":3,"seq":6,"author":"bot","text":"Standard delivery takes 3 to 5 working days.","meta":{"links":[{"title":"Delivery times","url":"/help/articles/2-delivery"}]},"at":"2026-03-01T09:30:00.123456Z"}`)
	b.Run("scan", func(b *testing.B) {
		var f benchFrame
		for i := 0; i < b.N; i++ {
			parseBenchFrame(frame, &f)
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var f benchFrame
			json.Unmarshal(frame, &f)
		}
	})
}
