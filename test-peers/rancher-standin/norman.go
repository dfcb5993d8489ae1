package main

// Helpers that shape JSON the way Rancher's norman v3 API does: resources
// carry id/type/links/actions, collections carry pagination, errors carry
// type "error" with a code and an HTTP status.

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
)

type normanError struct {
	BaseType  string `json:"baseType"`
	Type      string `json:"type"`
	Status    int    `json:"status"`
	Code      string `json:"code"`
	Message   string `json:"message,omitempty"`
	FieldName string `json:"fieldName,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func writeNormanError(w http.ResponseWriter, status int, code, message, field string) {
	writeJSON(w, status, normanError{BaseType: "error", Type: "error", Status: status, Code: code, Message: message, FieldName: field})
}

// norman's parse.QueryOptions limits: 1000 by default, 3000 at most.
const (
	defaultPageLimit = 1000
	maxPageLimit     = 3000
)

type pagination struct {
	Marker  string `json:"marker,omitempty"`
	First   string `json:"first,omitempty"`
	Next    string `json:"next,omitempty"`
	Limit   int    `json:"limit"`
	Total   int    `json:"total"`
	Partial bool   `json:"partial,omitempty"`
}

type collection struct {
	Type         string            `json:"type"`
	ResourceType string            `json:"resourceType"`
	Links        map[string]string `json:"links"`
	CreateTypes  map[string]string `json:"createTypes,omitempty"`
	Actions      map[string]string `json:"actions"`
	Pagination   *pagination       `json:"pagination"`
	Data         []map[string]any  `json:"data"`
}

// paginate applies norman's marker pagination to items already sorted in
// collection order: marker is the id of the first item of the page, and
// pagination.next is the current URL with marker set to the item after the
// page. ids[i] is the id of items[i].
func paginate(r *http.Request, baseURL string, items []map[string]any, ids []string) ([]map[string]any, *pagination) {
	q := r.URL.Query()
	limit := defaultPageLimit
	if l := q.Get("limit"); l != "" {
		if v, err := strconv.Atoi(l); err == nil && v >= 0 {
			limit = min(v, maxPageLimit)
		}
	}
	marker := q.Get("marker")
	p := &pagination{Marker: marker, Limit: limit, Total: len(items)}
	start := 0
	if marker != "" {
		start = len(items) // an unknown marker gives an empty page
		for i, id := range ids {
			if id == marker {
				start = i
				break
			}
		}
	}
	if limit == 0 {
		limit = len(items) // norman treats limit=0 as "no limit"
	}
	end := min(start+limit, len(items))
	page := items[start:end]
	if end < len(items) || start > 0 {
		p.Partial = true
		p.First = withQuery(baseURL, r.URL, "marker", "")
	}
	if end < len(items) {
		p.Next = withQuery(baseURL, r.URL, "marker", ids[end])
	}
	return page, p
}

// withQuery rebuilds the request URL on baseURL with one query key replaced
// (removed when value is empty).
func withQuery(baseURL string, u *url.URL, key, value string) string {
	q := u.Query()
	if value == "" {
		q.Del(key)
	} else {
		q.Set(key, value)
	}
	out := baseURL + u.Path
	if enc := q.Encode(); enc != "" {
		out += "?" + enc
	}
	return out
}
