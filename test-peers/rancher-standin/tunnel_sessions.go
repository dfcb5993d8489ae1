package main

// Bookkeeping around remotedialer.Server, which has no API to list or kick
// sessions: the tunnel handler records the hijacked net.Conn of every
// upgraded request under its client key, so the control API can drop
// sessions (closing the socket ends the session exactly as a network cut
// would), count connects with timestamps, and refuse new tunnels for a while.

import (
	"bufio"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rancher/remotedialer"
)

const (
	maxConnectTimesPerKey = 500
	maxConnectEvents      = 100000
)

type ConnectEvent struct {
	Time      time.Time `json:"time"`
	ClientKey string    `json:"clientKey"`
	Event     string    `json:"event"` // "connect" or "disconnect"
}

type KeyStats struct {
	Active         int         `json:"active"`
	Connects       int         `json:"connects"`
	Disconnects    int         `json:"disconnects"`
	LastConnect    *time.Time  `json:"lastConnect,omitempty"`
	LastDisconnect *time.Time  `json:"lastDisconnect,omitempty"`
	ConnectTimes   []time.Time `json:"connectTimes,omitempty"` // most recent last, at most 500
}

type SessionRegistry struct {
	mu          sync.Mutex
	conns       map[string]map[net.Conn]struct{}
	stats       map[string]*KeyStats
	events      []ConnectEvent
	refuseUntil time.Time
	refuseMode  string
	refused     int
	rejected    map[int]int // HTTP status -> count of failed tunnel handshakes
}

func NewSessionRegistry() *SessionRegistry {
	return &SessionRegistry{conns: map[string]map[net.Conn]struct{}{}, stats: map[string]*KeyStats{}, rejected: map[int]int{}}
}

func (s *SessionRegistry) statsFor(key string) *KeyStats {
	st := s.stats[key]
	if st == nil {
		st = &KeyStats{ConnectTimes: []time.Time{}}
		s.stats[key] = st
	}
	return st
}

func (s *SessionRegistry) opened(key string, c net.Conn) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns[key] == nil {
		s.conns[key] = map[net.Conn]struct{}{}
	}
	s.conns[key][c] = struct{}{}
	st := s.statsFor(key)
	st.Active++
	st.Connects++
	st.LastConnect = &now
	st.ConnectTimes = append(st.ConnectTimes, now)
	if len(st.ConnectTimes) > maxConnectTimesPerKey {
		st.ConnectTimes = st.ConnectTimes[len(st.ConnectTimes)-maxConnectTimesPerKey:]
	}
	s.appendEvent(ConnectEvent{Time: now, ClientKey: key, Event: "connect"})
}

func (s *SessionRegistry) closed(key string, c net.Conn) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.conns[key][c]; !ok {
		return
	}
	delete(s.conns[key], c)
	if len(s.conns[key]) == 0 {
		delete(s.conns, key)
	}
	st := s.statsFor(key)
	st.Active--
	st.Disconnects++
	st.LastDisconnect = &now
	s.appendEvent(ConnectEvent{Time: now, ClientKey: key, Event: "disconnect"})
}

func (s *SessionRegistry) appendEvent(e ConnectEvent) {
	s.events = append(s.events, e)
	if len(s.events) > maxConnectEvents {
		s.events = append([]ConnectEvent(nil), s.events[len(s.events)-maxConnectEvents/2:]...)
	}
}

// Drop closes every session whose key satisfies match and returns how many.
func (s *SessionRegistry) Drop(match func(key string) bool) int {
	s.mu.Lock()
	var victims []net.Conn
	for key, set := range s.conns {
		if match(key) {
			for c := range set {
				victims = append(victims, c)
			}
		}
	}
	s.mu.Unlock()
	for _, c := range victims {
		_ = c.Close()
	}
	return len(victims)
}

// Stats returns a copy of one key's counters.
func (s *SessionRegistry) Stats(key string) KeyStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.stats[key]
	if !ok {
		return KeyStats{ConnectTimes: []time.Time{}}
	}
	out := *st
	out.ConnectTimes = append([]time.Time{}, st.ConnectTimes...)
	return out
}

func (s *SessionRegistry) Events(since time.Time) []ConnectEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []ConnectEvent{}
	for _, e := range s.events {
		if !e.Time.Before(since) {
			out = append(out, e)
		}
	}
	return out
}

func (s *SessionRegistry) Refuse(d time.Duration, mode string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuseUntil = time.Now().Add(d)
	s.refuseMode = mode
	return s.refuseUntil
}

func (s *SessionRegistry) refusing() (bool, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Now().Before(s.refuseUntil) {
		s.refused++
		return true, s.refuseMode
	}
	return false, ""
}

func (s *SessionRegistry) recordRejected(code int) {
	s.mu.Lock()
	s.rejected[code]++
	s.mu.Unlock()
}

type RegistrySummary struct {
	ActiveSessions int            `json:"activeSessions"`
	Connects       int            `json:"connects"`
	Disconnects    int            `json:"disconnects"`
	Refused        int            `json:"refused"`
	RefuseUntil    *time.Time     `json:"refuseUntil,omitempty"`
	Rejected       map[string]int `json:"rejected"` // by HTTP status
}

func (s *SessionRegistry) Summary() RegistrySummary {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := RegistrySummary{Refused: s.refused, Rejected: map[string]int{}}
	for _, st := range s.stats {
		out.ActiveSessions += st.Active
		out.Connects += st.Connects
		out.Disconnects += st.Disconnects
	}
	for code, n := range s.rejected {
		out.Rejected[strconv.Itoa(code)] = n
	}
	if time.Now().Before(s.refuseUntil) {
		t := s.refuseUntil
		out.RefuseUntil = &t
	}
	return out
}

// hijackRecorder sees the raw connection when gorilla's upgrader hijacks it.
type hijackRecorder struct {
	http.ResponseWriter
	conn     net.Conn
	onHijack func(net.Conn)
}

func (h *hijackRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err == nil {
		h.conn = c
		h.onHijack(c)
	}
	return c, rw, err
}

// tunnelErrorWriter is remotedialer's DefaultErrorWriter plus accounting.
func (a *App) tunnelErrorWriter(rw http.ResponseWriter, req *http.Request, code int, err error) {
	a.sessions.recordRejected(code)
	a.log.Debug("tunnel rejected", "code", code, "err", err, "remote", req.RemoteAddr)
	rw.WriteHeader(code)
	_, _ = rw.Write([]byte(err.Error()))
}

// handleTunnel serves /v3/connect and /v3/connect/register.
func (a *App) handleTunnel(w http.ResponseWriter, r *http.Request) {
	if refuse, mode := a.sessions.refusing(); refuse {
		if mode == "close" {
			if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
				_ = c.Close()
				return
			}
		}
		http.Error(w, "tunnel connections are refused by the test control API", http.StatusServiceUnavailable)
		return
	}
	if code := a.refusals.codeFor(a.tunnelTarget(r)); code != 0 {
		a.tunnelErrorWriter(w, r, code, refusalError(code))
		return
	}
	req, holder := withAuthKeyHolder(r)
	rec := &hijackRecorder{ResponseWriter: w}
	rec.onHijack = func(c net.Conn) {
		a.sessions.opened(holder.clientKey, c)
		a.log.Info("tunnel session connected", "clientKey", holder.clientKey, "remote", r.RemoteAddr)
		if !strings.HasPrefix(holder.clientKey, steveKeyPrefix) {
			a.managers.MainSessionConnected(holder.clientKey)
		}
	}
	a.tunnel.ServeHTTP(rec, req)
	if rec.conn != nil {
		a.sessions.closed(holder.clientKey, rec.conn)
		a.log.Info("tunnel session ended", "clientKey", holder.clientKey)
		if !strings.HasPrefix(holder.clientKey, steveKeyPrefix) {
			a.managers.MainSessionEnded(holder.clientKey)
		}
	}
}

func newTunnelServer(a *App) *remotedialer.Server {
	// Rancher never sets ClientConnectAuthorizer: agents may not dial back.
	return remotedialer.New(a.tunnelAuthorize, a.tunnelErrorWriter)
}
