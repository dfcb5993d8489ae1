package main

// API token authentication as in rancher:pkg/auth/tokens GetTokenAuthFromRequest:
// "Authorization: Bearer token-xxxxx:secret", "Basic" with the same string
// base64-encoded (Rancher decodes URL-safe base64; standard is accepted too),
// or the R_SESS cookie. Only the single --admin-token exists here.

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"
)

func tokenFromRequest(r *http.Request) string {
	auth := strings.TrimSpace(r.Header.Get("Authorization"))
	switch {
	case len(auth) > 7 && strings.EqualFold(auth[:7], "bearer "):
		return strings.TrimSpace(auth[7:])
	case len(auth) > 6 && strings.EqualFold(auth[:6], "basic "):
		enc := strings.TrimSpace(auth[6:])
		for _, e := range []*base64.Encoding{base64.URLEncoding, base64.StdEncoding, base64.RawURLEncoding, base64.RawStdEncoding} {
			if raw, err := e.DecodeString(enc); err == nil {
				return string(raw)
			}
		}
		return ""
	}
	if c, err := r.Cookie("R_SESS"); err == nil {
		return c.Value
	}
	return ""
}

// requireAdmin wraps v3 handlers; unauthenticated requests get norman's 401.
func (a *App) requireAdmin(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if code, failing := a.apiFailure.active(); failing {
			writeNormanError(w, code, "ServiceUnavailable", "the v3 API fails on purpose (test control API POST /fail-api)", "")
			return
		}
		if _, ok := a.tokens.Lookup(tokenFromRequest(r), false); !ok {
			writeNormanError(w, http.StatusUnauthorized, "Unauthorized", "must authenticate", "")
			return
		}
		next(w, r)
	}
}

// apiToken is a Rancher token: "<name>:<key>" for a user.
type apiToken struct {
	Name      string
	Key       string
	UserID    string
	ClusterID string // the cluster a system token was made for ("" for the admin token)
	Expires   time.Time
}

func (t apiToken) Value() string { return t.Name + ":" + t.Key }

// tokenRegistry holds the admin token and the short-lived system tokens
// clusterdeploy makes (EnsureSystemToken, deleted after use, 1 h TTL).
type tokenRegistry struct {
	mu     sync.Mutex
	admin  apiToken
	system map[string]apiToken
}

func newTokenRegistry(adminToken, adminUserID string) *tokenRegistry {
	name, key, _ := strings.Cut(adminToken, ":")
	return &tokenRegistry{admin: apiToken{Name: name, Key: key, UserID: adminUserID}, system: map[string]apiToken{}}
}

// CreateSystemToken makes a token named generateName + 5 random characters.
func (r *tokenRegistry) CreateSystemToken(generateName, userID, clusterID string, ttl time.Duration) apiToken {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := apiToken{Name: generateName + randomString(5), Key: newRegistrationToken(), UserID: userID, ClusterID: clusterID, Expires: time.Now().Add(ttl)}
	r.system[t.Name] = t
	return t
}

func (r *tokenRegistry) Delete(name string) {
	r.mu.Lock()
	delete(r.system, name)
	r.mu.Unlock()
}

// Lookup verifies "<name>:<key>"; systemOK allows the system tokens.
func (r *tokenRegistry) Lookup(value string, systemOK bool) (apiToken, bool) {
	if value == "" {
		return apiToken{}, false
	}
	if subtle.ConstantTimeCompare([]byte(value), []byte(r.admin.Value())) == 1 {
		return r.admin, true
	}
	if !systemOK {
		return apiToken{}, false
	}
	name, key, ok := strings.Cut(value, ":")
	if !ok {
		return apiToken{}, false
	}
	r.mu.Lock()
	t, found := r.system[name]
	r.mu.Unlock()
	if !found || time.Now().After(t.Expires) || subtle.ConstantTimeCompare([]byte(key), []byte(t.Key)) != 1 {
		return apiToken{}, false
	}
	return t, true
}
