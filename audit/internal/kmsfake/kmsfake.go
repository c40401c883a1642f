// Package kmsfake is an in-process fake of AWS KMS for tests: an
// http.Handler speaking the real KMS JSON 1.1 protocol (POST /,
// X-Amz-Target: TrentService.GenerateDataKey or TrentService.Decrypt), so
// that code under test uses the real aws-sdk-go-v2 kms client on loopback.
//
// It exists because github.com/nsmithuk/local-kms keeps its implementation
// under internal/ and cannot be imported as a library.
package kmsfake

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// KeyARN is the ARN of the one symmetric key the fake holds; the alias
// "alias/ticketsum-log" and the bare key id name it too.
const (
	KeyID  = "6f1c1b9e-0f5e-4f57-9a3d-5d7e1c0f2a11"
	KeyARN = "arn:aws:kms:us-east-1:111122223333:key/" + KeyID
	Alias  = "alias/ticketsum-log"
)

// Server is the fake. Its zero value is not usable; call New.
type Server struct {
	master cipher.AEAD

	mu       sync.Mutex
	calls    map[string]int
	unsigned int
}

// New returns a fake with a fresh random master key.
func New() *Server {
	k := make([]byte, 32)
	rand.Read(k)
	block, _ := aes.NewCipher(k)
	aead, _ := cipher.NewGCM(block)
	return &Server{master: aead, calls: map[string]int{}}
}

// Calls returns how many times operation (such as "GenerateDataKey") was
// called.
func (s *Server) Calls(operation string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[operation]
}

// Unsigned returns how many requests carried no SigV4 signature for the
// service "kms".
func (s *Server) Unsigned() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unsigned
}

func knownKey(id string) bool {
	return id == KeyID || id == KeyARN || id == Alias
}

// contextAAD is the encryption context, canonicalised.
func contextAAD(ec map[string]string) []byte {
	keys := make([]string, 0, len(ec))
	for k := range ec {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + ec[k] + "\n")
	}
	return []byte(b.String())
}

type request struct {
	KeyID             string            `json:"KeyId"`
	KeySpec           string            `json:"KeySpec"`
	NumberOfBytes     int               `json:"NumberOfBytes"`
	EncryptionContext map[string]string `json:"EncryptionContext"`
	CiphertextBlob    []byte            `json:"CiphertextBlob"`
}

// ServeHTTP implements the two operations.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "TrentService.")
	s.mu.Lock()
	s.calls[op]++
	if !strings.Contains(r.Header.Get("Authorization"), "/kms/aws4_request") {
		s.unsigned++
	}
	s.mu.Unlock()
	var req request
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&req) != nil {
		fail(w, "ValidationException", "malformed request")
		return
	}
	switch op {
	case "GenerateDataKey":
		s.generate(w, &req)
	case "Decrypt":
		s.decrypt(w, &req)
	default:
		fail(w, "UnsupportedOperationException", "operation "+op+" is not supported by the fake")
	}
}

func (s *Server) generate(w http.ResponseWriter, req *request) {
	if !knownKey(req.KeyID) {
		fail(w, "NotFoundException", "Key '"+req.KeyID+"' does not exist")
		return
	}
	n := 32
	if req.KeySpec == "AES_128" {
		n = 16
	} else if req.KeySpec == "" && req.NumberOfBytes > 0 {
		n = req.NumberOfBytes
	}
	plain := make([]byte, n)
	rand.Read(plain)
	nonce := make([]byte, s.master.NonceSize())
	rand.Read(nonce)
	blob := s.master.Seal(nonce, nonce, plain, contextAAD(req.EncryptionContext))
	reply(w, map[string]any{"CiphertextBlob": blob, "Plaintext": plain, "KeyId": KeyARN})
}

func (s *Server) decrypt(w http.ResponseWriter, req *request) {
	if req.KeyID != "" && !knownKey(req.KeyID) {
		fail(w, "IncorrectKeyException", "The key ID in the request does not identify the key that encrypted the ciphertext")
		return
	}
	ns := s.master.NonceSize()
	if len(req.CiphertextBlob) < ns {
		fail(w, "InvalidCiphertextException", "")
		return
	}
	plain, err := s.master.Open(nil, req.CiphertextBlob[:ns], req.CiphertextBlob[ns:], contextAAD(req.EncryptionContext))
	if err != nil {
		fail(w, "InvalidCiphertextException", "")
		return
	}
	reply(w, map[string]any{"Plaintext": plain, "KeyId": KeyARN, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"})
}

func reply(w http.ResponseWriter, body map[string]any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(body)
}

func fail(w http.ResponseWriter, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}
