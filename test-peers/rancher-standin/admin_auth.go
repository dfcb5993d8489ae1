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
		tok := tokenFromRequest(r)
		if tok == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(a.cfg.AdminToken)) != 1 {
			writeNormanError(w, http.StatusUnauthorized, "Unauthorized", "must authenticate", "")
			return
		}
		next(w, r)
	}
}
