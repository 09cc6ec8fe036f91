package fakediscord_test

import (
	"crypto/ed25519"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"testing"
)

func mustKey(t *testing.T, hexKey string) ed25519.PublicKey {
	t.Helper()
	b, err := hex.DecodeString(hexKey)
	if err != nil || len(b) != ed25519.PublicKeySize {
		t.Fatalf("public key %q: %v", hexKey, err)
	}
	return ed25519.PublicKey(b)
}

// newHTTPServer serves h and returns its URL.
func newHTTPServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return hs.URL
}
