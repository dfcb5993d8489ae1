package main

// Faults for the test control API that make the stand-in answer as Rancher
// does for a cluster it no longer has, while it still has it, so an agent can
// be tested for deleting nothing on a guess:
//   - targeted tunnel refusals (POST /refuse-tunnels with mode "400" or
//     "401"): the main tunnel's 400 "cluster not found" or the Steve tunnel's
//     401 "failed authentication", for chosen kinds and clusters;
//   - a failing v3 API (POST /fail-api): every authenticated v3 request
//     answers 5xx, as an overloaded Rancher or a broken load balancer would,
//     while tunnels keep working.

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
)

type targetedRefusal struct {
	until    time.Time
	code     int             // 400 or 401
	kind     string          // "main", "steve", or "" for both
	clusters map[string]bool // empty: every cluster
}

type TunnelRefusals struct {
	mu   sync.Mutex
	list []targetedRefusal
}

// Add refuses the tunnels of a kind (or both) of the given clusters (or all)
// with code for d; d <= 0 ends every targeted refusal.
func (t *TunnelRefusals) Add(d time.Duration, code int, kind string, clusters []string) time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	if d <= 0 {
		t.list = nil
		return time.Now()
	}
	r := targetedRefusal{until: time.Now().Add(d), code: code, kind: kind, clusters: map[string]bool{}}
	for _, c := range clusters {
		r.clusters[c] = true
	}
	t.list = append(t.list, r)
	return r.until
}

// codeFor is the refusal code for a tunnel request of kind to cluster, or 0.
func (t *TunnelRefusals) codeFor(kind, cluster string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	live := t.list[:0]
	code := 0
	for _, r := range t.list {
		if !now.Before(r.until) {
			continue
		}
		live = append(live, r)
		if code == 0 && (r.kind == "" || r.kind == kind) && (len(r.clusters) == 0 || r.clusters[cluster]) {
			code = r.code
		}
	}
	t.list = live
	return code
}

// refusalError is the text Rancher's tunnel server writes for each code:
// the authorizer chain's "cluster not found" (400), remotedialer's
// errFailedAuth (401).
func refusalError(code int) error {
	if code == http.StatusBadRequest {
		return errClusterNotFound
	}
	return errors.New("failed authentication")
}

// tunnelTarget names the kind of a tunnel request and the cluster its token
// belongs to ("" when the token is unknown).
func (a *App) tunnelTarget(r *http.Request) (kind, cluster string) {
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		if token, ok := strings.CutPrefix(strings.TrimSpace(bearer), steveKeyPrefix); ok {
			if crt, found := a.store.TokenByValue(token); found {
				return "steve", crt.ClusterID
			}
			return "steve", ""
		}
	}
	if crt, found := a.store.TokenByValue(r.Header.Get(headerTunnelToken)); found {
		return "main", crt.ClusterID
	}
	return "main", ""
}

type APIFailure struct {
	mu    sync.Mutex
	until time.Time
	code  int
}

// Set makes the v3 API answer code for d; d <= 0 ends it.
func (f *APIFailure) Set(d time.Duration, code int) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.until, f.code = time.Now().Add(d), code
	return f.until
}

func (f *APIFailure) active() (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.code, time.Now().Before(f.until)
}

// CACertsOverride makes GET /v3/settings/cacerts serve another value than
// the CA the stand-in signs with (POST /tamper-cacerts), as a man in the
// middle or another Rancher would: the import manifest's CATTLE_CA_CHECKSUM
// then no longer matches what the agent downloads.
type CACertsOverride struct {
	mu    sync.Mutex
	value string
}

// Set serves value instead of the real CA; "" serves the real CA again.
func (o *CACertsOverride) Set(value string) {
	o.mu.Lock()
	o.value = value
	o.mu.Unlock()
}

func (o *CACertsOverride) get() (string, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.value, o.value != ""
}
