package main

// Rancher syncs downstream Nodes into management Nodes and sums them into the
// cluster's capacity/allocatable (from node status) and requested/limits
// (from the pod-requests/pod-limits annotations the agent's podresources
// controller writes). This file lists and watches /api/v1/nodes through the
// tunnel and recomputes those totals on every change.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

const (
	annotationPodRequests = "management.cattle.io/pod-requests"
	annotationPodLimits   = "management.cattle.io/pod-limits"
)

type kubeNode struct {
	Metadata struct {
		Name            string            `json:"name"`
		ResourceVersion string            `json:"resourceVersion"`
		Annotations     map[string]string `json:"annotations"`
	} `json:"metadata"`
	Status struct {
		Capacity    map[string]string `json:"capacity"`
		Allocatable map[string]string `json:"allocatable"`
		Conditions  []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
		} `json:"conditions"`
	} `json:"status"`
}

// ready is what kubectl shows as Ready: the Ready condition is True (a node
// without one is NotReady).
func (n kubeNode) ready() bool {
	for _, c := range n.Status.Conditions {
		if c.Type == "Ready" {
			return c.Status == "True"
		}
	}
	return false
}

type kubeNodeList struct {
	Metadata struct {
		ResourceVersion string `json:"resourceVersion"`
	} `json:"metadata"`
	Items []kubeNode `json:"items"`
}

type watchEvent struct {
	Type   string          `json:"type"`
	Object json.RawMessage `json:"object"`
}

// ClusterTotals is what a node set contributes to the cluster status.
type ClusterTotals struct {
	NodeCount                                int
	NotReady                                 int // nodes whose Ready condition is not True
	Capacity, Allocatable, Requested, Limits ResourceTotals
	Problems                                 []string
}

func computeTotals(nodes map[string]kubeNode) ClusterTotals {
	t := ClusterTotals{NodeCount: len(nodes), Capacity: ResourceTotals{}, Allocatable: ResourceTotals{}, Requested: ResourceTotals{}, Limits: ResourceTotals{}}
	for _, name := range sortedKeys(nodes) {
		n := nodes[name]
		if !n.ready() {
			t.NotReady++
		}
		report := func(what string, errs []error) {
			for _, e := range errs {
				t.Problems = append(t.Problems, fmt.Sprintf("node %s %s: %v", name, what, e))
			}
		}
		report("capacity", t.Capacity.Add(n.Status.Capacity))
		report("allocatable", t.Allocatable.Add(n.Status.Allocatable))
		for _, a := range []struct {
			key string
			dst ResourceTotals
		}{{annotationPodRequests, t.Requested}, {annotationPodLimits, t.Limits}} {
			raw, ok := n.Metadata.Annotations[a.key]
			if !ok || raw == "" {
				continue
			}
			var m map[string]string
			if err := json.Unmarshal([]byte(raw), &m); err != nil {
				t.Problems = append(t.Problems, fmt.Sprintf("node %s annotation %s: %v", name, a.key, err))
				continue
			}
			report(a.key, a.dst.Add(m))
		}
	}
	return t
}

// applyTotals writes totals into the cluster record; reports whether anything changed.
func applyTotals(c *Cluster, t ClusterTotals) bool {
	capacity, allocatable, requested, limits := t.Capacity.Strings(), t.Allocatable.Strings(), t.Requested.Strings(), t.Limits.Strings()
	changed := c.NodeCount != t.NodeCount || !sameMap(c.Capacity, capacity) || !sameMap(c.Allocatable, allocatable) ||
		!sameMap(c.Requested, requested) || !sameMap(c.Limits, limits)
	c.NodeCount, c.Capacity, c.Allocatable, c.Requested, c.Limits = t.NodeCount, capacity, allocatable, requested, limits
	c.Numeric = map[string]map[string]float64{
		"capacity": t.Capacity.Numbers(), "allocatable": t.Allocatable.Numbers(),
		"requested": t.Requested.Numbers(), "limits": t.Limits.Numbers(),
	}
	return changed
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// listNodes returns the node set and the list's resourceVersion.
func listNodes(ctx context.Context, d *Downstream) (map[string]kubeNode, string, error) {
	lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var list kubeNodeList
	if err := d.GetJSON(lctx, "/api/v1/nodes", &list); err != nil {
		return nil, "", err
	}
	nodes := make(map[string]kubeNode, len(list.Items))
	for _, n := range list.Items {
		nodes[n.Metadata.Name] = n
	}
	return nodes, list.Metadata.ResourceVersion, nil
}

// errWatchExpired means the resourceVersion is too old: list again.
var errWatchExpired = fmt.Errorf("watch expired (410)")

// watchNodes streams node events from resourceVersion rv, calling onChange
// after each change to nodes. It returns when the stream ends (normally
// after timeoutSeconds), on error, or when ctx is done; the returned
// resourceVersion is where a new watch may continue.
func watchNodes(ctx context.Context, d *Downstream, rv string, nodes map[string]kubeNode, onChange func()) (string, error) {
	q := url.Values{"watch": {"true"}, "resourceVersion": {rv}, "allowWatchBookmarks": {"true"}, "timeoutSeconds": {"300"}}
	resp, err := d.Do(ctx, http.MethodGet, "/api/v1/nodes?"+q.Encode(), nil)
	if err != nil {
		return rv, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusGone {
		return rv, errWatchExpired
	}
	if resp.StatusCode != http.StatusOK {
		return rv, &apiError{Status: resp.StatusCode, Body: resp.Status}
	}
	dec := json.NewDecoder(bufio.NewReader(resp.Body))
	for {
		var ev watchEvent
		if err := dec.Decode(&ev); err != nil {
			if ctx.Err() != nil {
				return rv, ctx.Err()
			}
			return rv, nil // stream closed: the caller re-watches from rv
		}
		switch ev.Type {
		case "ADDED", "MODIFIED", "DELETED":
			var n kubeNode
			if err := json.Unmarshal(ev.Object, &n); err != nil {
				return rv, fmt.Errorf("watch event: %w", err)
			}
			if ev.Type == "DELETED" {
				delete(nodes, n.Metadata.Name)
			} else {
				nodes[n.Metadata.Name] = n
			}
			if n.Metadata.ResourceVersion != "" {
				rv = n.Metadata.ResourceVersion
			}
			onChange()
		case "BOOKMARK":
			var n kubeNode
			if json.Unmarshal(ev.Object, &n) == nil && n.Metadata.ResourceVersion != "" {
				rv = n.Metadata.ResourceVersion
			}
		case "ERROR":
			var st struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			}
			_ = json.Unmarshal(ev.Object, &st)
			if st.Code == http.StatusGone {
				return rv, errWatchExpired
			}
			return rv, fmt.Errorf("watch error %d: %s", st.Code, st.Message)
		}
	}
}
