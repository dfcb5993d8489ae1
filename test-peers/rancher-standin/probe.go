package main

// The probe: one GET through a cluster's main tunnel, the way Rancher's
// clients reach the downstream API (same dialer, TLS and token), timed. Tests
// use it to see what an agent-side fault does to tunnelled traffic (added
// latency, a bandwidth cap, injected API errors) without a real Rancher UI.

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
)

// ProbeResult is what POST /clusters/{id}/probe answers.
type ProbeResult struct {
	Path string `json:"path"`
	// Status is the downstream answer's HTTP status (0 when there was none).
	Status int `json:"status"`
	// Bytes of the answer's body read.
	Bytes int64 `json:"bytes"`
	// HeadersMs: request sent until the answer's headers; DurationMs: until its last byte.
	HeadersMs  float64 `json:"headersMs"`
	DurationMs float64 `json:"durationMs"`
	// Body is the start of the answer (at most 2 KiB), for error messages.
	Body  string `json:"body,omitempty"`
	Error string `json:"error,omitempty"`
}

const probeBodyPreview = 2048

var errProbePath = errors.New(`body must be {"path": "/api/...", "timeoutSeconds"?: N} with an absolute path`)

func (a *App) probe(ctx context.Context, id, path string, timeout time.Duration) (ProbeResult, int) {
	res := ProbeResult{Path: path}
	cm := a.managers.get(id)
	if cm == nil {
		res.Error = "cluster not found or never connected"
		return res, http.StatusNotFound
	}
	ds, err := cm.downstream()
	if err != nil {
		res.Error = err.Error()
		return res, http.StatusBadGateway
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	started := time.Now()
	resp, err := ds.Do(ctx, http.MethodGet, path, nil)
	if err != nil {
		res.DurationMs = msSince(started)
		res.Error = err.Error()
		return res, http.StatusBadGateway
	}
	defer resp.Body.Close()
	res.Status = resp.StatusCode
	res.HeadersMs = msSince(started)
	var preview strings.Builder
	n, err := io.Copy(io.Discard, io.TeeReader(resp.Body, &limitedWriter{w: &preview, left: probeBodyPreview}))
	res.Bytes = n
	res.DurationMs = msSince(started)
	res.Body = preview.String()
	if err != nil {
		res.Error = err.Error()
		return res, http.StatusBadGateway
	}
	return res, http.StatusOK
}

func msSince(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }

// limitedWriter keeps the first `left` bytes and drops the rest without failing.
type limitedWriter struct {
	w    io.Writer
	left int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.left > 0 {
		k := min(len(p), l.left)
		_, _ = l.w.Write(p[:k])
		l.left -= k
	}
	return len(p), nil
}
